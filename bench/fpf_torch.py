#!/usr/bin/python3
"""fpf_torch.py -- the fixed-point search of FixedPointFinder (Golub and
Sussillo 2018) in its PyTorch form, written out again for
bench/fixed_vs_fpf.sh.

FixedPointFinder cannot be installed here (no PyPI), so this follows what
its PyTorch code (FixedPointFinderTorch.py and FixedPointFinderBase.py of
mattgolub/fixed-point-finder) does with its defaults, step by step:

- the network is a torch.nn.RNN (tanh), stepped once per iteration on all
  start states at once, float32 (tf_dtype 'float32');
- one joint optimisation: torch.optim.Adam on the states (lr_init 1,
  PyTorch's betas and epsilon: the PyTorch code passes none of adam_hps),
  its rate lowered by torch.optim.lr_scheduler.ReduceLROnPlateau (mode
  min, factor 0.95, patience 2, cooldown 0) stepped on the mean over the
  points of q = |x - F(x)|^2 / 2, which Adam minimises; no gradient
  clipping (AdaptiveGradNormClip is not used by the PyTorch code);
- the joint stopping rule: after the first iteration, stop when every
  point has |dq| < tol_dq times the current learning rate or q < tol_q
  (1e-20 and 1e-12), or at max_iters = 5000 iterations;
- unique points: rows equal after rounding to -log10(tol_unique) = 3
  decimals (tol_unique 1e-3), the points kept in float32 as its
  FixedPoints holds them (dtype 'float32');
- distance outliers dropped: points farther from the centroid of the
  start states than 10 times their mean distance to it;
- the Jacobian at every unique point (do_compute_jacobians) by autograd
  on the sum over the batch (its efficient_jacobian), and once more one
  point at a time (its sequential_jacobian, which the code runs and whose
  result it drops); then (do_decompose_jacobians) NumPy's eig of the
  batch, eigenvectors included, each point's pairs sorted by decreasing
  modulus and the point stable when the first modulus is below 1.

The PyTorch code reads the rate it scales tol_dq by from the
scheduler's state after the scheduler's step, which is the optimiser's
current rate: ReduceLROnPlateau (threshold 1e-4 relative, eps 1e-8) cuts
it by 0.95 after 3 steps without a better mean q, and stops cutting when
the cut would be 1e-8 or less, at a rate of about 2e-7.  Older versions of the
PyTorch code ran Adam at rate 0.05 under a StepLR schedule and tested dq
against tol_dq unscaled.

The model is a dynkit tanh rnn, F(x) = tanh(W x + V u + b), read from a
stream.  Usage:

    fpf_torch.py MODEL STARTS OUT.npz

STARTS is a plain .npy (points, state).  OUT gets the unique points
(xstar, float32), their q (qstar, in float32 as the optimiser saw it),
their eigenvalues, the iteration count, the rate at the end, the number
of points that passed the stop on q and on dq, and the seconds (wall
and CPU) the search took, excluding start-up.  torch runs on one
thread.
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
DTYPE = torch.float32


def network(W, V, b):
    """a torch.nn.RNN holding the dynkit rnn's weights, frozen"""
    n, m = V.shape
    rnn = torch.nn.RNN(m, n, nonlinearity="tanh").to(DTYPE)
    with torch.no_grad():
        rnn.weight_hh_l0.copy_(torch.from_numpy(W))
        rnn.weight_ih_l0.copy_(torch.from_numpy(V))
        rnn.bias_ih_l0.copy_(torch.from_numpy(b))
        rnn.bias_hh_l0.zero_()
    for p in rnn.parameters():
        p.requires_grad = False
    return rnn


def find(rnn, u, x0):
    B = x0.shape[0]
    inputs = torch.from_numpy(np.tile(u, (B, 1))).unsqueeze(0).to(DTYPE)
    x = torch.from_numpy(x0).unsqueeze(0).to(DTYPE)
    x.requires_grad = True
    opt = torch.optim.Adam([x], lr=1.0)
    sched = torch.optim.lr_scheduler.ReduceLROnPlateau(
        opt, mode="min", factor=0.95, patience=2, cooldown=0)
    it, q_prev = 1, torch.full((B,), float("nan"))
    while True:
        opt.zero_grad()
        _, F = rnn(inputs, x)
        q = 0.5 * torch.sum(torch.square(torch.squeeze(x - F, 0)), dim=1)
        dq = torch.abs(q - q_prev)
        q_mean = torch.mean(q)
        q_mean.backward()
        opt.step()
        sched.step(q_mean)
        lr = opt.param_groups[0]["lr"]
        qb, dqb = q.detach().numpy(), dq.detach().numpy()
        if it > 1 and np.all((dqb < TOL_DQ * lr) | (qb < TOL_Q)):
            break
        if it + 1 > MAX_ITERS:
            break
        q_prev = q.detach()
        it += 1
    passed = (int((qb < TOL_Q).sum()), int((dqb < TOL_DQ * lr).sum()))
    return x.detach().squeeze(0).numpy(), qb, it, lr, passed


def unique(x, q, u, tol=TOL_UNIQUE):
    """one point per group of rows equal after rounding, the rows being
    each point with its input (float64 then, as the float32 points meet
    the caller's float64 inputs)"""
    d = int(np.round(max(0, -np.log10(tol))))
    rows = np.concatenate((x, np.tile(u, (len(x), 1))), axis=1)
    _, idx = np.unique(rows.round(decimals=d), axis=0, return_index=True)
    return x[idx], q[idx]


def drop_outliers(x, q, x0, scale=OUTLIER_SCALE):
    c = x0.mean(axis=0)
    avg = np.linalg.norm(x0 - c, axis=1).mean()
    keep = np.linalg.norm(x - c, axis=1) / avg < scale
    return x[keep], q[keep]


def spectra(rnn, u, x):
    """the Jacobian of one step at every point (autograd, batched as the
    PyTorch code does it, then once more one point at a time as it also
    does), and their eigenvalues and eigenvectors, sorted by decreasing
    modulus"""
    if len(x) == 0:
        return np.zeros((0, rnn.hidden_size), np.complex64)
    xt = torch.from_numpy(x).to(DTYPE)
    ut = torch.from_numpy(np.tile(u, (len(x), 1))).to(DTYPE)

    def step_sum(xb):
        _, F = rnn(ut.unsqueeze(0), xb.unsqueeze(0))
        return torch.sum(F.squeeze(0), dim=0)

    J = torch.autograd.functional.jacobian(step_sum, xt).permute(1, 0, 2)

    def step_one(ui):
        def f(xi):
            _, F = rnn(ui.view(1, 1, -1), xi.view(1, 1, -1))
            return F.squeeze()
        return f

    for i in range(len(x)):  # the PyTorch code's sequential_jacobian
        torch.autograd.functional.jacobian(step_one(ut[i]), xt[i])
    val, vec = np.linalg.eig(J.numpy())
    order = np.argsort(np.abs(val), axis=1)[:, ::-1]
    val = np.take_along_axis(val, order, axis=1)
    vec = np.take_along_axis(vec, order[:, None, :], axis=2)
    stable = np.abs(val[:, 0]) < 1.0  # noqa: F841 (its is_stable)
    return val


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: fpf_torch.py MODEL STARTS OUT.npz")
    torch.set_num_threads(1)
    M = {name(r, i): r[1] for i, r in enumerate(records(sys.argv[1]))}
    W, V, b = M["model/W"], M["model/V"], M["model/b"]
    x0 = np.load(sys.argv[2])
    u = np.zeros(V.shape[1])
    rnn = network(W, V, b)
    t0, c0 = time.perf_counter(), time.process_time()
    x, q, iters, lr, passed = find(rnn, u, x0)
    x, q = unique(x, q, u)
    x, q = drop_outliers(x, q, x0)
    eig = spectra(rnn, u, x)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    np.savez(sys.argv[3], xstar=x, qstar=q, eig=eig, iters=iters,
             rate=lr, passed_q=passed[0], passed_dq=passed[1],
             seconds=seconds, cpu=cpu)
    print("fpf_torch: %d unique points, %d iterations (final rate %.3g; "
          "of %d points %d below tol_q, %d below tol_dq * rate), %.3f s "
          "(torch threads %d)" % (len(x), iters, lr, len(x0), passed[0],
                                  passed[1], seconds, torch.get_num_threads()))


if __name__ == "__main__":
    main()
