#!/usr/bin/python3
"""fpf_torch.py -- the fixed-point search of FixedPointFinder (Golub and
Sussillo 2018), written out again in PyTorch for bench/fixed_vs_fpf.sh.

FixedPointFinder itself cannot be installed here (no PyPI), so this is a
re-implementation of its algorithm from its documentation, with its
default hyperparameters:

- the joint optimisation: one Adam (TensorFlow's form: the bias
  corrections folded into the rate; beta1 0.9, beta2 0.999, epsilon 0.01)
  on the mean over all points of q = |F(x) - x|^2 / 2, float32;
- the gradient clipped to a global norm given by its adaptive clipper:
  the 95th percentile of the last 128 gradient norms (1e12 at first);
- its adaptive learning rate on the mean q: initial rate 1, times 0.95
  when the newest value exceeds the 5 before it, times 1/0.95 after 5
  steps of strict decrease, at least 5 steps between changes;
- stopping when, for every point, q < tol_q = 1e-12 or |dq| < tol_dq *
  rate with tol_dq = 1e-20, or after max_iters = 5000 iterations;
- unique points: rows equal after rounding to -log10(tol_unique) = 3
  decimals (tol_unique = 1e-3);
- distance outliers dropped: points farther from the centroid of the
  start states than 10 times their mean distance to it.

The model is a dynkit tanh rnn, F(x) = tanh(W x + V u + b), read from a
stream.  Usage:

    fpf_torch.py MODEL STARTS OUT.npz

STARTS is a plain .npy (points, state).  OUT gets the unique points
(xstar), their q (qstar, in float32 as the optimiser saw it), the
iteration count, and the seconds (wall and CPU) the search took,
excluding start-up.
"""
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "tests"))
from npystream import records, name  # noqa: E402

TOL_Q, TOL_DQ, MAX_ITERS = 1e-12, 1e-20, 5000
TOL_UNIQUE, OUTLIER_SCALE = 1e-3, 10.0


class Rate:
    """The adaptive learning rate, on the history of the mean q."""

    def __init__(self, initial=1.0, window=5, down=0.95, up=1 / 0.95):
        self.rate, self.window, self.down, self.up = initial, window, down, up
        self.step, self.last_change, self.log = 0, -1, []

    def update(self, loss):
        self.log.append(loss)
        n = self.window
        if self.step == 0:  # no warm-up: the first update sets the rate
            self.last_change = 0
        elif self.step >= self.last_change + n:
            w = self.log[-(n + 1):]
            if all(w[-1] > v for v in w[:-1]):
                self.rate *= self.down
                self.last_change = self.step
            elif all(b < a for a, b in zip(w[:-1], w[1:])):
                self.rate *= self.up
                self.last_change = self.step
        self.step += 1


class Clip:
    """The adaptive gradient-norm clip value."""

    def __init__(self, window=128, percentile=95.0, initial=1e12, top=1e12):
        self.window, self.pct, self.value, self.top = window, percentile, initial, top
        self.log, self.step = [], 0

    def update(self, norm):
        if self.step < self.window:
            self.log.append(norm)
        else:
            self.log[self.step % self.window] = norm
        self.value = min(np.percentile(self.log, self.pct), self.top)
        self.step += 1


def find(W, V, b, u, x0, dtype=torch.float32):
    W, V, b = (torch.tensor(a, dtype=dtype) for a in (W, V, b))
    drive = torch.tensor(u, dtype=dtype) @ V.T + b
    x = torch.tensor(x0, dtype=dtype, requires_grad=True)
    m = torch.zeros_like(x)
    v = torch.zeros_like(x)
    b1, b2, eps = 0.9, 0.999, 0.01
    rate, clip = Rate(), Clip()
    q_prev = torch.full((x.shape[0],), float("nan"), dtype=dtype)
    it = 1
    while True:
        lr, cv = rate.rate, clip.value
        F = torch.tanh(x @ W.T + drive)
        q = 0.5 * ((F - x) ** 2).sum(dim=1)
        q_mean = q.mean()
        (g,) = torch.autograd.grad(q_mean, x)
        gnorm = float(torch.linalg.norm(g))
        with torch.no_grad():
            if gnorm > cv:
                g = g * (cv / gnorm)
            lr_t = lr * np.sqrt(1 - b2 ** it) / (1 - b1 ** it)
            m.mul_(b1).add_((1 - b1) * g)
            v.mul_(b2).add_((1 - b2) * g * g)
            xs, qs = x.detach().clone(), q.detach().clone()
            x -= lr_t * m / (v.sqrt() + eps)
        dq = (qs - q_prev).abs()
        if it > 1 and bool(((dq < TOL_DQ * lr) | (qs < TOL_Q)).all()):
            break
        if it + 1 > MAX_ITERS:
            break
        q_prev = qs
        rate.update(float(q_mean))
        clip.update(gnorm)
        it += 1
    return xs.numpy().astype(np.float64), qs.numpy(), it


def unique(x, q, tol=TOL_UNIQUE):
    d = int(np.round(max(0, -np.log10(tol))))
    _, idx = np.unique(x.round(decimals=d), axis=0, return_index=True)
    return x[idx], q[idx]


def drop_outliers(x, q, x0, scale=OUTLIER_SCALE):
    c = x0.mean(axis=0)
    avg = np.linalg.norm(x0 - c, axis=1).mean()
    keep = np.linalg.norm(x - c, axis=1) / avg < scale
    return x[keep], q[keep]


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: fpf_torch.py MODEL STARTS OUT.npz")
    M = {name(r, i): r[1] for i, r in enumerate(records(sys.argv[1]))}
    W, V, b = M["model/W"], M["model/V"], M["model/b"]
    x0 = np.load(sys.argv[2])
    u = np.zeros(V.shape[1])
    t0, c0 = time.perf_counter(), time.process_time()
    x, q, iters = find(W, V, b, u, x0)
    x, q = unique(x, q)
    x, q = drop_outliers(x, q, x0)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.savez(sys.argv[3], xstar=x, qstar=q, iters=iters, seconds=seconds,
             cpu=cpu)
    print("fpf_torch: %d unique points, %d iterations, %.3f s (torch threads %d)"
          % (len(x), iters, seconds, torch.get_num_threads()))


if __name__ == "__main__":
    main()
