#!/usr/bin/python3
"""make_flipflop_torch.py -- write flipflop_torch32.npz: a tanh RNN trained
in PyTorch on the 3-bit flip-flop task, saved as a PyTorch user saves one.

Run from the top of a built tree, with Debian's python3 and python3-torch
(torch 1.13, NumPy 1.24):

    /usr/bin/python3 data/make_flipflop_torch.py [output.npz [units]]

The network is torch.nn.RNN(3, units, nonlinearity="tanh") with an
nn.Linear(units, 3) readout (units 32 unless given; bench/fixed_vs_fpf.sh
trains a 64-unit one), in float64, trained with Adam on the mean squared
error.  Its batches come from tools/dk-gen flipflop itself (one call per
1024 sequences, seeds 1, 2, ...), so the task is dynkit's by construction
and a network that learns it must hold 8 memories.  The state_dict is
written with np.savez under PyTorch's own names (rnn.weight_ih_l0, ...,
readout.weight, readout.bias), which is what dk-import reads, together
with a probe: a short input (probe.input, from dk-gen with seed 99), and
the hidden states and readout PyTorch gives for it from the zero state
(probe.states, probe.output), so the tests can check an imported model
against PyTorch without PyTorch.  The weights are the same on every run
on one machine (one thread, a fixed seed); the zip's timestamps differ.
"""
import io
import json
import os
import subprocess
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)
DKGEN = os.path.join(TOP, "tools", "dk-gen")
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "flipflop_torch32.npz")

UNITS = int(sys.argv[2]) if len(sys.argv) > 2 else 32
BITS, LENGTH = 3, 100
BATCH, CHUNK = 64, 1024       # sequences per step, per dk-gen call
MAX_STEPS, TARGET_MSE = 8000, 2e-3


def dk_gen(batch, length, seed):
    """input and target of one dk-gen flipflop batch, (time, batch, bits)."""
    raw = subprocess.run([DKGEN, "flipflop", "--bits", str(BITS),
                          "--batch", str(batch), "--length", str(length),
                          "--seed", str(seed)],
                         check=True, stdout=subprocess.PIPE).stdout
    f, got = io.BytesIO(raw), {}
    while f.tell() < len(raw):
        meta = json.loads(np.load(f)[()])
        got[meta["name"]] = np.load(f)
    assert (got["mask"] == 1).all()
    return got["input"], got["target"]


class Net(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.rnn = torch.nn.RNN(BITS, UNITS, nonlinearity="tanh")
        self.readout = torch.nn.Linear(UNITS, BITS)

    def forward(self, u):
        h, _ = self.rnn(u)
        return h, self.readout(h)


def main():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float64)
    torch.manual_seed(0)
    net = Net()
    opt = torch.optim.Adam(net.parameters(), lr=5e-3)
    # the rate falls tenfold over the run: Adam's steps at the first
    # rate leave the loss noisy near 1e-2
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: 0.1 ** (s / MAX_STEPS))
    tu, ty = (torch.from_numpy(a) for a in dk_gen(256, LENGTH, 1 << 40))
    start, chunk, mse = time.time(), None, float("inf")
    for step in range(MAX_STEPS):
        if step % (CHUNK // BATCH) == 0:
            chunk = [torch.from_numpy(a) for a in
                     dk_gen(CHUNK, LENGTH, 1 + step // (CHUNK // BATCH))]
        k = step % (CHUNK // BATCH) * BATCH
        u, y = (a[:, k:k + BATCH] for a in chunk)
        loss = torch.mean((net(u)[1] - y) ** 2)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        sched.step()
        if step % 100 == 99:
            with torch.no_grad():
                mse = torch.mean((net(tu)[1] - ty) ** 2).item()
            print("step %d  train %.3e  test %.3e  %.0f s" %
                  (step + 1, loss.item(), mse, time.time() - start),
                  file=sys.stderr)
            if mse < TARGET_MSE:
                break
    if mse >= TARGET_MSE:
        sys.exit("test MSE %.3e after %d steps" % (mse, MAX_STEPS))

    pu = dk_gen(2, 40, 99)[0]
    with torch.no_grad():
        h, o = net(torch.from_numpy(pu))
    arrays = {k: v.detach().numpy() for k, v in net.state_dict().items()}
    arrays.update({"probe.input": pu, "probe.states": h.numpy(),
                   "probe.output": o.numpy(),
                   "probe.test_mse": np.array(mse)})
    np.savez(OUT, **arrays)
    with np.load(OUT) as z:
        for k, v in arrays.items():
            assert np.array_equal(z[k], v) and z[k].dtype == np.float64, k
    print("%s: test MSE %.3e after %d steps" % (OUT, mse, step + 1),
          file=sys.stderr)


if __name__ == "__main__":
    main()
