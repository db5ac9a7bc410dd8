"""train_data.py -- NumPy's side of tests/train_data.sh.

  make DIR                  write the trials, good and malformed, into DIR
  loss MODEL DATA LOSS      exit 0 when LOSS is the loss NumPy computes for
                            the tanh RNN MODEL on all of DATA's trials
  holdout BASE RUN...       check the runs on data with one trial poisoned
  testloss RUN DATA         the last test loss of RUN's train/log is the
                            loss of RUN's model on DATA (trials TRIALS...)

The RNN is h' = tanh(W h + V x + b), y = R h' + c from h = 0 (rnn.c);
the losses are those of lib/train/loss.h, written here from their
definitions: mse = sum w (y - target)^2 / sum w over every output (a
weight per step counting once per output), xent = the mean of -log
softmax(y)[label] over the weighted steps.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import npystream  # noqa: E402
import dynkit  # noqa: E402

T, N, F, O = 9, 8, 3, 2


def write(path, recs):
    """A stream of named records (name, array, attrs)."""
    if os.path.exists(path):
        os.remove(path)
    for name, a, *attrs in recs:
        dynkit.write(path, name, a, attrs=attrs[0] if attrs else None)


def make(d):
    rng = np.random.default_rng(5)
    x = rng.normal(size=(T, N, F))
    y = rng.normal(size=(T, N, O))
    m = (rng.random((T, N)) < 0.6).astype(float)
    m[-1] = 1  # every trial counts somewhere
    j = lambda n: os.path.join(d, n)  # noqa: E731
    write(j("mse.npy"), [("input", x), ("target", y), ("mask", m)])
    np.savez(j("mse.npz"), input=x, target=y, mask=m)
    # the targets where the mask is 0 changed (NaN among them): no loss changes
    yp = y.copy()
    yp[m == 0] = 100.0
    yp[0][m[0] == 0] = np.nan
    write(j("mse_masked.npy"), [("input", x), ("target", yp), ("mask", m)])
    # one target the mask counts changed: the losses change
    yh = y.copy()
    t, n = np.argwhere(m > 0)[0]
    yh[t, n, 0] += 1
    write(j("mse_hit.npy"), [("input", x), ("target", yh), ("mask", m)])
    # a weight per output
    me = (rng.random((T, N, O)) < 0.5) * rng.random((T, N, O))
    me[-1] = 1
    write(j("each.npy"), [("input", x), ("target", y), ("mask", me)])
    ye = y.copy()
    ye[me == 0] = -50.0
    write(j("each_masked.npy"), [("input", x), ("target", ye), ("mask", me)])
    # class labels, -1 where none, no mask: 3 classes from the largest
    lab = rng.integers(-1, 3, size=(T, N))
    lab[-1] = rng.integers(0, 3, size=N)
    lab[-1, 0] = 2
    write(j("labels.npy"), [("input", x), ("target", lab)])
    # f4 input and its f8 twin: one set of trials
    x4 = x.astype(np.float32)
    write(j("f4.npy"), [("input", x4), ("target", y), ("mask", m)])
    write(j("f4ref.npy"), [("input", x4.astype(float)), ("target", y), ("mask", m)])
    # other trials, for --test-data
    write(j("test.npy"), [("input", rng.normal(size=(T, 5, F))),
                          ("target", rng.normal(size=(T, 5, O)))])
    # holdout: trial i's counted targets poisoned, one file each
    for i in range(N):
        yq = y.copy()
        yq[:, i][m[:, i] > 0] += 30.0
        write(j("poison%d.npy" % i), [("input", x), ("target", yq), ("mask", m)])
    # malformed, each with the words its message must hold
    bad = {
        "input2d": ([("input", x[0]), ("target", y)], "input is f8 (8, 3)"),
        "inputint": ([("input", np.ones((T, N, F), np.int64)), ("target", y)], "input is i8"),
        "notarget": ([("input", x)], "no record named target"),
        "target2d": ([("input", x), ("target", y[..., 0])], "target is f8 (9, 8), not"),
        "trials": ([("input", x), ("target", y[:, :7])], "target has 9 steps and 7 trials"),
        "steps": ([("input", x), ("target", y[:8])], "target has 8 steps and 8 trials"),
        "maskshape": ([("input", x), ("target", y), ("mask", m[:, :7])], "mask is f8 (9, 7)"),
        "maskneg": ([("input", x), ("target", y), ("mask", -m)], "not a finite weight"),
        "nanin": ([("input", np.where(np.arange(F) == 1, np.nan, x)), ("target", y)], "input[0, 0, 1] is nan"),
        "nantarget": ([("input", x), ("target", np.where(m[..., None] > 0, np.inf, y)), ("mask", m)], "is inf where mask weighs it"),
        "labelbig": ([("input", x), ("target", np.where(lab > 1, 3, lab), {"classes": 3})], "is 3, not a label in -1..2"),
        "labelneg": ([("input", x), ("target", np.where(lab > 1, -2, lab))], "is -2, not a label"),
        "labelmask": ([("input", x), ("target", lab), ("mask", np.ones((T, N)))], "is -1 (no label) where mask"),
        "labelmask3": ([("input", x), ("target", lab), ("mask", np.ones((T, N, 3)))], "class labels take one weight"),
        "notrials": ([("input", x[:, :0]), ("target", y[:, :0])], "input holds no trials"),
        "nomask": ([("input", x), ("target", y), ("mask", np.zeros((T, N)))], "mask weighs no step"),
        "feature": ([("input", x[..., :2]), ("target", y)], "the trials of feature.npy have 2 features and 2 outputs"),
        "output": ([("input", x), ("target", y[..., :1])], "the trials of output.npy have 3 features and 1 outputs"),
    }
    with open(j("bad.txt"), "w") as f:
        for name, (recs, words) in bad.items():
            write(j(name + ".npy"), recs)
            f.write("%s\t%s\n" % (name, words))
    with open(j("garbage.npy"), "wb") as f:
        f.write(b"not a stream of trials\n")


def model_outputs(model, x):
    p = npystream.load(model)
    W, V, b = p["model/W"], p["model/V"], p["model/b"]
    R, c = p["model/readout/W"], p["model/readout/b"]
    h = np.zeros((x.shape[1], W.shape[0]))
    ys = []
    for t in range(x.shape[0]):
        h = np.tanh(h @ W.T + x[t] @ V.T + b)
        ys.append(h @ R.T + c)
    return np.array(ys)


def loss_of(model, data, trials=None):
    d = dict(np.load(data)) if data.endswith(".npz") else npystream.load(data)
    x, target = d["input"].astype(float), d["target"]
    if trials is not None:
        x, target = x[:, trials], target[:, trials]
    y = model_outputs(model, x)
    if target.dtype.kind in "iu":
        w = d["mask"] if "mask" in d else (target >= 0).astype(float)
        if trials is not None and "mask" in d:
            w = w[:, trials]
        z = y - y.max(axis=2, keepdims=True)
        logp = z - np.log(np.exp(z).sum(axis=2, keepdims=True))
        lab = np.maximum(target, 0)
        nll = -np.take_along_axis(logp, lab[..., None], axis=2)[..., 0]
        return (w * nll).sum() / w.sum()
    w = d["mask"] if "mask" in d else np.ones(target.shape[:2])
    if trials is not None:
        w = w[:, trials]
    if w.ndim == 2:
        w = np.repeat(w[..., None], target.shape[2], axis=2)
    err = np.where(w > 0, y - target, 0)
    return (w * err ** 2).sum() / w.sum()


def close(got, want, what):
    # the same sums in another order: a few ulps of the loss, far below 1e-10
    if not abs(got - want) <= 1e-10 * abs(want):
        sys.exit("%s: %r, NumPy %r" % (what, got, want))


def holdout(base, runs):
    """Poisoning a held-out trial leaves training as it was and changes
    the test loss; poisoning a training trial changes the training (and
    so the model, and its test loss with it)."""
    b = npystream.load(base)
    held = []
    for i, r in enumerate(runs):
        d = npystream.load(r)
        if np.array_equal(d["train/loss"], b["train/loss"]):
            if np.array_equal(d["train/log"][:, 2], b["train/log"][:, 2]):
                sys.exit("trial %d: neither trained on nor tested" % i)
            held.append(i)
    if len(held) != round(0.25 * N):
        sys.exit("held out: %s, not %d trials" % (held, round(0.25 * N)))
    print(" ".join(map(str, held)))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "make":
        make(sys.argv[2])
    elif cmd == "loss":
        close(float(sys.argv[4]), loss_of(sys.argv[2], sys.argv[3]), "the first loss")
    elif cmd == "holdout":
        holdout(sys.argv[2], sys.argv[3:])
    elif cmd == "testloss":
        trials = [int(a) for a in sys.argv[4:]] or None
        log = npystream.load(sys.argv[2])["train/log"]
        close(log[-1, 2], loss_of(sys.argv[2], sys.argv[3], trials), "the test loss")
