"""npystream.py -- the shell tests' view of a stream, through python/dynkit.

The shell tests check the tools' outputs with these functions, which
read and write streams with python/dynkit (the module users get) and
NumPy alone, nothing of the tools; a stream's records are pairs (raw
metadata JSON bytes or None, array).  The module itself is checked
against np.load in tests/python_module.sh.
"""
import io
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "python"))
import dynkit  # noqa: E402


def records(path):
    """[(raw metadata JSON bytes or None, array)] of the stream at path."""
    return list(dynkit.read_raw(path))


def arrays(path):
    """The tensors of a stream, metadata skipped."""
    return [a for raw, a in records(path)]


def name(rec, i):
    """A record's name: its metadata's, else arr_<index>."""
    default = "arr_%d" % i
    return json.loads(rec[0]).get("name", default) if rec[0] else default


# load and meta keep the later of two tensors of one name, different or
# not: some outputs checked here hold several groups of the same names
# (dk-jac on several matrices), which dynkit.load rightly refuses.
def load(path):
    """{name: array} of a stream's tensors, arr_<index> when unnamed."""
    return {"arr_%d" % i if r.name is None else r.name: r.array
            for i, r in enumerate(dynkit.read(path))}


def meta(path):
    """{name: metadata object} of the tensors that have one."""
    return {"arr_%d" % i if r.name is None else r.name: r.meta
            for i, r in enumerate(dynkit.read(path)) if r.meta}


def by_name(path):
    """{name: (raw metadata or None, array)}, the later of two of a name."""
    return {name(r, i): r for i, r in enumerate(records(path))}


def save_bytes(recs):
    """The bytes np.save writes for [(raw JSON or None, array)], any dtype."""
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
