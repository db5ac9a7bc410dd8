#!/usr/bin/python3
"""train_torch.py -- PyTorch's time per training iteration, for bench/train_vs_torch.sh.

For one configuration, builds the model dynkit trains (same shapes, same
equations, float64), draws ONE batch of the task before the clock starts
(data generation is not timed), and times iterations of

    forward over T steps -> MSE on the masked steps -> backward
    -> clip_grad_norm_(1.0) -> Adam step

on that batch.  It prints, on stdout, one line

    ms_per_iter=<best> runs=<ms of each run> iters=<per run>

where each run is ITERS iterations after WARMUP untimed ones, and best is
the shortest run divided by ITERS.  --show-config prints the BLAS setup
(torch.__config__.show(), numpy.show_config(), OpenBLAS's core and
thread count through ctypes) on stderr first; alone, it prints only that.

Configurations (the issue's benchmark, issue 3):
  wrnn8   Wave-RNN c=8 n=64, batch 32, T=100, adding task
  wrnn27  Wave-RNN c=27 n=100, batch 128, T=100, adding task
  irnn    iRNN N=256 (nn.RNN relu, identity init), batch 128, T=100, adding
  gru     nn.GRU hidden 128, batch 128, T=100, 3-bit flip-flop
  lstm    nn.LSTM hidden 128, batch 128, T=100, 3-bit flip-flop

The Wave-RNN is h' = relu(conv(h) + V x + b): conv = nn.Conv1d(c, c, 3,
padding=1, padding_mode='circular') over the c rings of n units (a
cross-correlation with bias, as dynkit's model/conv/W, model/conv/b),
V x + b = nn.Linear(inputs, c n), the readout nn.Linear(c n, outputs);
shift init (each ring's own kernel [0, 0, 1]) and solo input (weight 1
from every input into unit 0 of every ring), as dk-init's default.
The adding task's loss is the MSE of the readout of the last state
(the only step its mask weights), so only that readout is computed;
flip-flop's is the MSE over every step and bit.
"""
import argparse
import ctypes
import ctypes.util
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

CONFIGS = {
    # name: (model, size, channels, batch, T, task)
    "wrnn8": ("wrnn", 64, 8, 32, 100, "adding"),
    "wrnn27": ("wrnn", 100, 27, 128, 100, "adding"),
    "irnn": ("irnn", 256, 0, 128, 100, "adding"),
    "gru": ("gru", 128, 0, 128, 100, "flipflop"),
    "lstm": ("lstm", 128, 0, 128, 100, "flipflop"),
}


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
        lib.openblas_get_config.restype = ctypes.c_char_p
        return "%s, %d threads (%s)" % (lib.openblas_get_corename().decode(),
                                        lib.openblas_get_num_threads(),
                                        lib.openblas_get_config().decode())
    return "libopenblas not found"


def show_config():
    import io
    import contextlib
    import numpy
    err = sys.stderr
    print("torch %s, torch.get_num_threads() = %d" %
          (torch.__version__, torch.get_num_threads()), file=err)
    print(torch.__config__.show().rstrip(), file=err)
    print(torch.__config__.parallel_info().rstrip(), file=err)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        numpy.show_config()
    print("numpy %s show_config():" % numpy.__version__, file=err)
    print(buf.getvalue().rstrip(), file=err)
    print("OpenBLAS in this process: %s" % openblas_info(), file=err)


class WaveRNN(nn.Module):
    def __init__(self, c, n, inputs, outputs):
        super().__init__()
        self.c, self.n = c, n
        self.conv = nn.Conv1d(c, c, 3, padding=1, padding_mode="circular")
        self.V = nn.Linear(inputs, c * n)
        self.readout = nn.Linear(c * n, outputs)
        with torch.no_grad():  # dk-init wrnn's default: shift, solo
            self.conv.weight.zero_()
            self.conv.bias.zero_()
            for k in range(c):
                self.conv.weight[k, k, 2] = 1
            self.V.weight.zero_()
            self.V.bias.zero_()
            for k in range(c):
                self.V.weight[k * n, :] = 1

    def forward(self, x):  # x: (T, B, inputs) -> the last state (B, c n)
        T, B, _ = x.shape
        h = x.new_zeros(B, self.c * self.n)
        for t in range(T):
            a = self.conv(h.view(B, self.c, self.n)).view(B, -1) + self.V(x[t])
            h = torch.relu(a)
        return h


class IRNN(nn.Module):
    def __init__(self, n, inputs, outputs):
        super().__init__()
        self.rnn = nn.RNN(inputs, n, nonlinearity="relu")
        self.readout = nn.Linear(n, outputs)
        with torch.no_grad():
            self.rnn.weight_hh_l0.copy_(torch.eye(n))

    def forward(self, x):
        out, _ = self.rnn(x)
        return out[-1]


class GRU(nn.Module):
    def __init__(self, n, inputs, outputs):
        super().__init__()
        self.rnn = nn.GRU(inputs, n)
        self.readout = nn.Linear(n, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return out  # every step


class LSTM(nn.Module):
    def __init__(self, n, inputs, outputs):
        super().__init__()
        self.rnn = nn.LSTM(inputs, n)
        self.readout = nn.Linear(n, outputs)

    def forward(self, x):
        out, _ = self.rnn(x)
        return out  # h of every step


def make_batch(task, T, B, g):
    """One batch, as dynkit's tasks define them (lib/train/task_synthetic.c)."""
    if task == "adding":
        x = torch.zeros(T, B, 2)
        x[:, :, 0] = torch.rand(T, B, generator=g)
        half = T // 2
        first = torch.randint(0, half, (B,), generator=g)
        second = torch.randint(half, T, (B,), generator=g)
        cols = torch.arange(B)
        x[first, cols, 1] = 1
        x[second, cols, 1] = 1
        y = (x[first, cols, 0] + x[second, cols, 0]).unsqueeze(1)  # (B, 1)
        return x, y
    bits, p = 3, 0.05
    pulse = torch.rand(T, B, bits, generator=g) < p
    sign = torch.where(torch.rand(T, B, bits, generator=g) < 0.5, -1.0, 1.0)
    x = torch.where(pulse, sign, torch.zeros(()))
    y = torch.zeros(T, B, bits)
    state = torch.zeros(B, bits)
    for t in range(T):
        state = torch.where(pulse[t], sign[t], state)
        y[t] = state
    return x, y


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("config", nargs="?", choices=sorted(CONFIGS),
                    help="omit with --show-config to print the setup only")
    ap.add_argument("--iters", type=int, default=10, help="iterations per run")
    ap.add_argument("--runs", type=int, default=3, help="timed runs (best kept)")
    ap.add_argument("--warmup", type=int, default=2, help="untimed iterations first")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--show-config", action="store_true")
    a = ap.parse_args()

    torch.set_default_dtype(torch.float64)
    torch.set_num_threads(a.threads)
    if a.show_config:
        show_config()
    if not a.config:
        if not a.show_config:
            ap.error("no configuration")
        return
    torch.manual_seed(1)
    kind, n, c, B, T, task = CONFIGS[a.config]
    inputs, outputs = (2, 1) if task == "adding" else (3, 3)
    if kind == "wrnn":
        model = WaveRNN(c, n, inputs, outputs)
    elif kind == "irnn":
        model = IRNN(n, inputs, outputs)
    elif kind == "lstm":
        model = LSTM(n, inputs, outputs)
    else:
        model = GRU(n, inputs, outputs)
    x, y = make_batch(task, T, B, torch.Generator().manual_seed(2))
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)  # PyTorch's and dynkit's defaults

    def iteration():
        opt.zero_grad()
        out = model.readout(model(x))
        loss = F.mse_loss(out, y)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss

    for _ in range(a.warmup):
        iteration()
    runs = []
    for _ in range(a.runs):
        t0 = time.perf_counter()
        for _ in range(a.iters):
            iteration()
        runs.append(time.perf_counter() - t0)
    ms = [1e3 * r / a.iters for r in runs]
    print("ms_per_iter=%.4f runs=%s iters=%d threads=%d" %
          (min(ms), ",".join("%.3f" % m for m in ms), a.iters, torch.get_num_threads()))


if __name__ == "__main__":
    main()
