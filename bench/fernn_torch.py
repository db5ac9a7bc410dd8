#!/usr/bin/python3
"""fernn_torch.py -- the FERNN in PyTorch, for bench/fernn_vs_torch.sh.

The flow-equivariant RNN of Keller (2025) on a ring, written as the
author's cell is (akandykeller/FERNN, FERNN_Cell): the hidden state
h (batch, S, C, N), one slice of C channels per velocity nu = -V .. V
(S = 2 V + 1; the G-RNN is V = 0), and a step

    h_nu' = relu(Conv1d_W(torch.roll(h_nu, nu, -1)) + Conv1d_U(u) + b)

both convolutions kernel 3, circular padding 1, no bias of their own (b
is one per channel, broadcast over units and velocities), the input's
convolution the same for every slice; the readout is nn.Linear(C N,
outputs) of the maximum over the velocities.  These are dynkit's
equations and layouts (lib/models/fernn.c): model/W (C, C, 3) and
model/U (C, I, 3) are Conv1d's weights, the state is velocity-major.

Two modes:

  train DATA --velocities V --channels C [--dtype float64|float32]
        [--threads T] [--iters K] [--runs R] [--warmup W]
      times training iterations on the one batch of DATA (a dk-gen flow
      stream: input (T, B, I N), target (T, B, outputs), mask (T, B)):
      forward over the T steps, MSE over the masked steps (their mean
      over steps, rows and outputs, as dk-train's), backward, gradient
      norm clipped to 1, Adam lr 1e-3.  Prints one line
          ms_per_iter=<best> cpu_ms_per_iter=<best> runs=<ms each> ...
      best over R runs of K iterations after W untimed ones; the CPU
      time is the process's (all its threads).

  check MODEL DATA RUN
      loads the weights of MODEL (a dynkit model file), runs the forward
      pass in float64 over DATA's input from h = 0, and compares states
      and outputs with RUN (dk-run MODEL DATA).  Prints the largest
      absolute differences and exits 1 if one is above 1e-10.

--show-config prints torch's build and parallel settings and the
OpenBLAS it loaded, on stderr.
"""
import argparse
import ctypes
import ctypes.util
import os
import resource
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import dynkit  # noqa: E402


class FERNN(nn.Module):
    def __init__(self, C, N, V, I, outputs):
        super().__init__()
        self.C, self.N, self.V, self.I = C, N, V, I
        self.W = nn.Conv1d(C, C, 3, padding=1, padding_mode="circular", bias=False)
        self.U = nn.Conv1d(I, C, 3, padding=1, padding_mode="circular", bias=False)
        self.b = nn.Parameter(torch.zeros(C))
        self.readout = nn.Linear(C * N, outputs)

    def step(self, h, inp):
        """h (B, S, C, N), inp (B, C, N) -> the next h."""
        B, S = h.shape[0], 2 * self.V + 1
        rolled = torch.stack([torch.roll(h[:, a], a - self.V, -1) for a in range(S)], 1)
        a = self.W(rolled.reshape(B * S, self.C, self.N)).reshape(B, S, self.C, self.N)
        return torch.relu(a + inp.unsqueeze(1))

    def forward(self, x, read_from=0):
        """x (T, B, I N) -> states (T, B, S C N) and the outputs of steps
        read_from .. T-1."""
        T, B, _ = x.shape
        S = 2 * self.V + 1
        # the input's convolution of every step at once (it does not
        # depend on the state), plus b
        inp = self.U(x.reshape(T * B, self.I, self.N)).reshape(T, B, self.C, self.N)
        inp = inp + self.b[None, None, :, None]
        h = x.new_zeros(B, S, self.C, self.N)
        states, outs = [], []
        for t in range(T):
            h = self.step(h, inp[t])
            states.append(h)
            if t >= read_from:
                outs.append(self.readout(h.amax(1).reshape(B, -1)))
        return torch.stack(states).reshape(T, B, -1), torch.stack(outs)


def openblas_info():
    """OpenBLAS's core and thread count, from the library torch loaded."""
    for name in ("libopenblas.so.0", ctypes.util.find_library("openblas")):
        if not name:
            continue
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            continue
        lib.openblas_get_corename.restype = ctypes.c_char_p
        return "%s, %d threads" % (lib.openblas_get_corename().decode(),
                                   lib.openblas_get_num_threads())
    return "libopenblas not found"


def show_config():
    err = sys.stderr
    print("torch %s, torch.get_num_threads() = %d" %
          (torch.__version__, torch.get_num_threads()), file=err)
    print(torch.__config__.parallel_info().rstrip(), file=err)
    print("OpenBLAS in this process: %s" % openblas_info(), file=err)


def model_sizes(M, data_input):
    """(C, N, V, I, outputs) of a dynkit fernn or grnn model."""
    C, I = M["model/U"].shape[:2]
    outputs, CN = M["model/readout/W"].shape
    N = CN // C
    return C, N, I, outputs, data_input.shape[2] // N


def load_weights(net, M, dtype):
    with torch.no_grad():
        net.W.weight.copy_(torch.from_numpy(M["model/W"]))
        net.U.weight.copy_(torch.from_numpy(M["model/U"]))
        net.b.copy_(torch.from_numpy(M["model/b"]))
        net.readout.weight.copy_(torch.from_numpy(M["model/readout/W"]))
        net.readout.bias.copy_(torch.from_numpy(M["model/readout/b"]))
    return net.to(dtype)


def check(a):
    torch.set_default_dtype(torch.float64)
    M, D, R = dynkit.load(a.model), dynkit.load(a.data), dynkit.load(a.run)
    kind = dynkit.meta(a.model)["model/W"]["attrs"]["model"]
    V = kind.get("velocities", 0)
    C, N, I, outputs, _ = model_sizes(M, D["input"])
    net = load_weights(FERNN(C, N, V, I, outputs), M, torch.float64)
    with torch.no_grad():
        S, Y = net(torch.from_numpy(D["input"]))
    ds = (S - torch.from_numpy(R["states"])).abs().max().item()
    dy = (Y - torch.from_numpy(R["output"])).abs().max().item()
    scale = torch.from_numpy(R["states"]).abs().max().item()
    # 1e-10: both sides sum the same few dozen products of values of
    # order 1 in another order (a few ulps); an index, a roll in the
    # wrong direction or a missing term is an error of order 1
    good = ds <= 1e-10 and dy <= 1e-10 and scale > 0
    print("%s V=%d C=%d N=%d: one forward pass of dynkit's weights, T=%d B=%d, float64: "
          "max |states - dk-run| = %.3g (states up to %.3g), max |outputs - dk-run| = %.3g: %s"
          % (kind["kind"], V, C, N, S.shape[0], S.shape[1], ds, scale, dy,
             "same to 1e-10" if good else "DIFFERENT"))
    return 0 if good else 1


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def train(a):
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    torch.set_default_dtype(dtype)
    torch.manual_seed(1)
    D = dynkit.load(a.data)
    x = torch.from_numpy(D["input"]).to(dtype)
    y = torch.from_numpy(D["target"]).to(dtype)
    mask = D["mask"]
    T, B = mask.shape
    # the flow task weighs the last frames alone, every row alike
    read_from = int((mask.sum(axis=1) == 0).sum())
    N, I = a.units, x.shape[2] // a.units
    net = FERNN(a.channels, N, a.velocities, I, y.shape[2])
    y = y[read_from:]
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def iteration():
        opt.zero_grad()
        _, out = net(x, read_from)
        loss = F.mse_loss(out, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(net.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(a.warmup):
        iteration()
    wall, cpu = [], []
    for _ in range(a.runs):
        c0, t0 = cpu_seconds(), time.perf_counter()
        for _ in range(a.iters):
            iteration()
        wall.append(time.perf_counter() - t0)
        cpu.append(cpu_seconds() - c0)
    ms = [1e3 * r / a.iters for r in wall]
    cms = [1e3 * r / a.iters for r in cpu]
    print("ms_per_iter=%.4f cpu_ms_per_iter=%.4f runs=%s iters=%d threads=%d dtype=%s" %
          (min(ms), min(cms), ",".join("%.3f" % m for m in ms), a.iters,
           torch.get_num_threads(), a.dtype))
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("mode", choices=("train", "check", "config"))
    ap.add_argument("files", nargs="*")
    ap.add_argument("--velocities", type=int, default=2, help="0: the grnn")
    ap.add_argument("--channels", type=int, default=16)
    ap.add_argument("--units", type=int, default=64)
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    ap.add_argument("--iters", type=int, default=10, help="iterations per run")
    ap.add_argument("--runs", type=int, default=3, help="timed runs (best kept)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--show-config", action="store_true")
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    if a.show_config or a.mode == "config":
        show_config()
    if a.mode == "check":
        if len(a.files) != 3:
            ap.error("check MODEL DATA RUN")
        a.model, a.data, a.run = a.files
        return check(a)
    if a.mode == "train":
        if len(a.files) != 1:
            ap.error("train DATA")
        a.data = a.files[0]
        return train(a)
    return 0


if __name__ == "__main__":
    sys.exit(main())
