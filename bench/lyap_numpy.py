"""lyap_numpy.py -- the Lyapunov spectrum of an rnn model by repeated QR,
in NumPy: the reference side of bench/lyap_vs_numpy.sh.

    python3 lyap_numpy.py MODEL X0 K T0 T1 T OUT

MODEL is a dynkit stream of an rnn (model/W, model/b; tanh), X0 a .npy
start state (1, N).  The same method as dk-lyap --every 1: T0 steps of
the state, then a random orthonormal basis of K vectors carried by
Q <- diag(tanh'(a)) W Q and re-orthonormalised by Householder QR every
step, the logs of |R_ii| discarded for T1 steps and summed over T.
Writes the exponents (K) to OUT (.npy) and prints the seconds the
steps took, wall-clock and CPU (model reading and imports excluded).
"""
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests"))
from npystream import records, name  # noqa: E402


def main():
    model, x0, k, t0, t1, steps, out = sys.argv[1:8]
    k, t0, t1, steps = int(k), int(t0), int(t1), int(steps)
    M = {name(r, i): r[1] for i, r in enumerate(records(model))}
    W, b = M["model/W"], M["model/b"]
    x = np.load(x0).reshape(-1).astype(np.float64)
    n = x.size
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(t0):
        x = np.tanh(W @ x + b)
    rng = np.random.default_rng(1)
    Q, _ = np.linalg.qr(rng.standard_normal((n, k)))
    total = np.zeros(k)
    for t in range(t1 + steps):
        a = W @ x + b
        x = np.tanh(a)
        Q = (1 - x * x)[:, None] * (W @ Q)
        Q, R = np.linalg.qr(Q)
        if t >= t1:
            total += np.log(np.abs(np.diag(R)))
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    np.save(out, total / steps)
    print("%.3f %.3f" % (seconds, cpu))


main()
