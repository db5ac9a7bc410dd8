"""npystream.py -- read and write dynkit streams with NumPy alone.

The shell tests check the tools against these functions, which know
nothing of dynkit but the stream's definition (man/dk-stream.5): .npy
records concatenated, a 0-d |S record of JSON before a named tensor.
"""
import io
import json

import numpy as np


def records(path):
    """[(raw metadata JSON bytes or None, array)] of the stream at path."""
    data = open(path, "rb").read()
    f = io.BytesIO(data)
    out, raw = [], None
    while f.tell() < len(data):
        a = np.load(f)
        if a.dtype.kind == "S" and a.ndim == 0:
            assert raw is None, "two metadata records in a row"
            raw = bytes(a[()])
            continue
        out.append((raw, a))
        raw = None
    assert raw is None, "metadata record at the end"
    return out


def arrays(path):
    """The tensors of a stream, metadata skipped."""
    return [a for raw, a in records(path)]


def name(rec, i):
    """A record's name: its metadata's, else arr_<index>."""
    return json.loads(rec[0])["name"] if rec[0] else "arr_%d" % i


def load(path):
    """{name: array} of a stream's tensors."""
    return {name(r, i): r[1] for i, r in enumerate(records(path))}


def meta(path):
    """{name: metadata object} of the tensors that have one."""
    return {name(r, i): json.loads(r[0]) for i, r in enumerate(records(path)) if r[0]}


def by_name(path):
    return {name(r, i): r for i, r in enumerate(records(path))}


def save_bytes(recs):
    """The bytes np.save writes for [(raw JSON or None, array)]."""
    f = io.BytesIO()
    for raw, a in recs:
        if raw is not None:
            np.save(f, np.array(raw))
        np.save(f, a)
    return f.getvalue()


def same(a, b):
    """Equal dtype, shape and values, NaN where NaN."""
    return (a.dtype == b.dtype and a.shape == b.shape and
            np.array_equal(a, b, equal_nan=a.dtype.kind in "fc"))
