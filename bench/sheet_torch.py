#!/usr/bin/python3
"""sheet_torch.py -- the oscillator sheet and the local-CNN baseline in
PyTorch, for bench/sheet_vs_torch.sh.

The two models of Jacobs, Budzinski, Muller, Ba and Keller (2025) on the
shapes task, as dynkit has them (lib/models/nwm.c, cnn.c, pixel_head.c):

  nwm  encoders of omega and alpha (three 3x3 Conv2d, zero padding, ReLU
       after each) and of y0 (four, the last a Tanh), z0 = 0; T steps of
       z' = z + dt (tanh(W * y + b) - omega y - alpha z), y' = y + dt z'
       with W a circular 3x3 Conv2d; the positions of the T steps read
       per pixel by a Linear(T, T/2 + 1) over time (no bias), then the
       MLP Linear(F, 64), ReLU, Linear(64, 32), ReLU, Linear(32, K).
  cnn  L 3x3 Conv2d of C channels, zero padding, ReLU after each, then
       the same MLP on the C channels of each pixel.

  train DATA --model nwm|cnn [--channels C] [--hidden M] [--steps T]
        [--layers L] [--dtype float64|float32] [--threads N] [--iters K]
        [--warmup W]
      times training iterations on the one batch of DATA (a dk-gen
      shapes stream: input (B, 1, H, W), target (B, H, W)): forward,
      the per-pixel cross-entropy averaged over the pixels, backward,
      Adam lr 1e-3 (dk-train's defaults).  Prints one line
          ms_per_iter=<median> cpu_ms_per_iter=<median> ...
      the medians over K timed iterations after W untimed ones; the CPU
      time is the process's (all its threads).

  config   prints torch's build and parallel settings and the OpenBLAS
           it loaded.
"""
import argparse
import ctypes
import ctypes.util
import os
import resource
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import dynkit  # noqa: E402

HIDDEN1, HIDDEN2 = 64, 32


def conv(cin, cout, circular=False):
    return nn.Conv2d(cin, cout, 3, padding=1,
                     padding_mode="circular" if circular else "zeros")


def stack(cin, widths, last):
    layers = []
    for k, w in enumerate(widths):
        layers += [conv(cin, w), nn.ReLU() if k + 1 < len(widths) else last]
        cin = w
    return nn.Sequential(*layers)


def mlp(features, classes):
    return nn.Sequential(nn.Linear(features, HIDDEN1), nn.ReLU(),
                         nn.Linear(HIDDEN1, HIDDEN2), nn.ReLU(),
                         nn.Linear(HIDDEN2, classes))


class Sheet(nn.Module):
    def __init__(self, I, C, M, T, K, dt=0.1):
        super().__init__()
        self.T, self.dt, self.Kp = T, dt, T // 2 + 1
        self.enc_omega = stack(I, [M, M, C], nn.ReLU())
        self.enc_alpha = stack(I, [M, M, C], nn.ReLU())
        self.enc_y0 = stack(I, [M, M, M, C], nn.Tanh())
        self.W = conv(C, C, circular=True)
        self.fc_time = nn.Linear(T, self.Kp, bias=False)
        self.mlp = mlp(self.Kp * C, K)

    def forward(self, x):
        omega, alpha = self.enc_omega(x), self.enc_alpha(x)
        y = self.enc_y0(x)
        z = torch.zeros_like(y)
        ys = []
        for _ in range(self.T):
            z = z + self.dt * (torch.tanh(self.W(y)) - omega * y - alpha * z)
            y = y + self.dt * z
            ys.append(y)
        Y = torch.stack(ys, -1)                 # (B, C, H, W, T)
        f = self.fc_time(Y)                     # (B, C, H, W, K')
        B, C, H, W, Kp = f.shape
        f = f.permute(0, 2, 3, 4, 1).reshape(B, H, W, Kp * C)
        return self.mlp(f)                      # (B, H, W, K)


class CNN(nn.Module):
    def __init__(self, I, C, L, K):
        super().__init__()
        self.stack = stack(I, [C] * L, nn.ReLU())
        self.mlp = mlp(C, K)

    def forward(self, x):
        return self.mlp(self.stack(x).permute(0, 2, 3, 1))


def openblas_info():
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


def config():
    print("torch %s, torch.get_num_threads() = %d" %
          (torch.__version__, torch.get_num_threads()))
    print(torch.__config__.parallel_info().rstrip())
    print("OpenBLAS in this process: %s" % openblas_info())
    return 0


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def train(a):
    dtype = torch.float64 if a.dtype == "float64" else torch.float32
    torch.set_default_dtype(dtype)
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    D = dynkit.load(a.data)
    x = torch.from_numpy(D["input"]).to(dtype)
    y = torch.from_numpy(D["target"]).long()
    I, K = x.shape[1], 6
    if a.model == "nwm":
        net = Sheet(I, a.channels, a.hidden, a.steps, K)
    else:
        net = CNN(I, a.channels, a.layers, K)
    opt = torch.optim.Adam(net.parameters(), lr=1e-3)

    def iteration():
        opt.zero_grad()
        logits = net(x)
        loss = F.cross_entropy(logits.reshape(-1, K), y.reshape(-1), ignore_index=-1)
        loss.backward()
        opt.step()

    for _ in range(a.warmup):
        iteration()
    wall, cpu = [], []
    for _ in range(a.iters):
        c0, t0 = cpu_seconds(), time.perf_counter()
        iteration()
        wall.append(1e3 * (time.perf_counter() - t0))
        cpu.append(1e3 * (cpu_seconds() - c0))
    print("ms_per_iter=%.3f cpu_ms_per_iter=%.3f iters=%d threads=%d dtype=%s params=%d" %
          (statistics.median(wall), statistics.median(cpu), a.iters,
           torch.get_num_threads(), a.dtype, sum(p.numel() for p in net.parameters())))
    return 0


def main():
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="mode", required=True)
    sub.add_parser("config")
    t = sub.add_parser("train")
    t.add_argument("data")
    t.add_argument("--model", choices=("nwm", "cnn"), required=True)
    t.add_argument("--channels", type=int, default=11)
    t.add_argument("--hidden", type=int, default=11)
    t.add_argument("--steps", type=int, default=20)
    t.add_argument("--layers", type=int, default=8)
    t.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    t.add_argument("--threads", type=int, default=1)
    t.add_argument("--iters", type=int, default=5)
    t.add_argument("--warmup", type=int, default=1)
    a = p.parse_args()
    return config() if a.mode == "config" else train(a)


if __name__ == "__main__":
    sys.exit(main())
