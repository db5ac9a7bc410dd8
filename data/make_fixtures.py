#!/usr/bin/python3
"""make_fixtures.py -- write the small NumPy fixtures of the stream tests.

Run with a Python that has NumPy (Debian's /usr/bin/python3, NumPy 1.24):

    /usr/bin/python3 data/make_fixtures.py

Every file is written by NumPy itself (np.save, np.lib.format.write_array),
never by dynkit, so the tests compare the tools against an independent
writer.  The values are fixed by construction (no random generator), so
running the script again gives the same bytes.  data/README says what each
file holds.
"""
import io
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED = os.path.join(HERE, "expected")


def meta_record(f, meta):
    """The stream's metadata record: a 0-d |S<n> array of JSON text."""
    np.save(f, np.array(json.dumps(meta).encode()))


# ---- the named stream: one tensor of every kind the stream carries ----
#
# (meta, array) pairs; each meta is written just before its tensor.
W = np.array([[0.5, -1.25, 2.75, -3.5],
              [1.0 / 3.0, -2.0 / 7.0, 1e-3, 123456.789],
              [-0.0, 6.02214076, -1.5e-7, -2.0]], dtype="<f8")
NAMED = [
    ({"name": "model/W", "axes": ["out", "in"],
      "attrs": {"kind": "wrnn", "nonlinearity": "relu", "dt": 0.1,
                "units": 4}}, W),
    ({"name": "model/b", "axes": ["unit"]},
     np.array([0.1, -2.5, 3.0e-5, 65504.0], dtype="<f4")),
    ({"name": "model/dt", "attrs": {"unit": "s"}},
     np.array(0.25, dtype="<f8")),                          # rank 0
    ({"name": "fp/q", "axes": ["point"]},
     np.array([1.5, np.nan, np.inf, -np.inf, -0.0, 5e-324, -7.25],
              dtype="<f8")),                                # NaN, Inf, denormal
    ({"name": "fp/eig", "attrs": {"sorted": False}},
     np.array([1 + 2j, -0.5 + 0j, 3j, complex(np.nan, 1.0), 1e-3 - 4e3j],
              dtype="<c16")),
    ({"name": "fp/idx"},
     np.array([0, -1, 2**62 + 1, -(2**62), 7, 2**53 + 1], dtype="<i8")),
    ({"name": "labels", "axes": ["batch", "t"]},
     np.array([[0, 1, -2], [2147483647, -2147483648, 5]], dtype="<i4")),
    ({"name": "img", "axes": ["batch", "y", "x"]},
     np.arange(0, 12 * 21, 21, dtype="<u1").reshape(2, 2, 3)),  # 3-d
    ({"name": "mask"},
     np.array([True, False, True, True, False], dtype="|b1")),
    ({"name": "fp/empty", "axes": ["point", "unit"]},
     np.zeros((0, 3), dtype="<f8")),                        # empty
    ({"name": "run/h", "axes": ["t", "batch", "unit"], "attrs": {},
      "tool": {"name": "dk-run", "version": "0.1", "seed": 42}},
     np.arange(24, dtype="<f8").reshape(2, 3, 4) / 8.0),    # 3-d, extra key
]


def write_named():
    with open(os.path.join(HERE, "stream_named.npy"), "wb") as f:
        for meta, arr in NAMED:
            meta_record(f, meta)
            np.save(f, arr)
    # What the listing of the stream must say, stated by construction.
    listing = []
    for i, (meta, arr) in enumerate(NAMED):
        listing.append({
            "index": i,
            "record": 2 * i + 1,
            "name": meta["name"],
            "dtype": arr.dtype.str,
            "shape": list(arr.shape),
            "shape_text": repr(tuple(arr.shape)),
            "axes": meta.get("axes"),
            "attrs": meta.get("attrs"),
            "meta_json": json.dumps(meta),
        })
    with open(os.path.join(EXPECTED, "stream_named.json"), "w") as f:
        json.dump(listing, f, indent=1, sort_keys=True)
        f.write("\n")


def write_plain():
    np.save(os.path.join(HERE, "plain_f8.npy"),
            np.arange(12, dtype="<f8").reshape(3, 4) / 7.0)


def write_v2():
    arr = np.array([[1.5, -2.0], [np.pi, np.e], [1e300, -1e-300]],
                   dtype="<f8")
    with open(os.path.join(HERE, "v2_header.npy"), "wb") as f:
        np.lib.format.write_array(f, arr, version=(2, 0))


def write_fortran():
    # A stream of two plain records in column-major order.
    a = np.asfortranarray(np.arange(24, dtype="<f8").reshape(2, 3, 4) - 11.5)
    b = np.asfortranarray(np.arange(15, dtype="<i4").reshape(3, 5) * -3)
    with open(os.path.join(HERE, "fortran.npy"), "wb") as f:
        np.save(f, a)
        np.save(f, b)


def write_bigendian():
    # A stream of three plain big-endian records.
    a = np.array([[1.0, -2.5, 1e-310], [np.inf, 3.25, -0.0]], dtype=">f8")
    b = np.array([1 + 2j, -3.5 - 0.25j, complex(0, np.inf), 7e10 + 1e-10j],
                 dtype=">c16")
    c = np.array([1, -1, 2**31 - 1, -(2**31), 65536], dtype=">i4")
    with open(os.path.join(HERE, "bigendian.npy"), "wb") as f:
        for arr in (a, b, c):
            np.save(f, arr)


def check():
    """Read everything back with NumPy, as the tests will."""
    with open(os.path.join(HERE, "stream_named.npy"), "rb") as f:
        buf = io.BytesIO(f.read())
    for meta, arr in NAMED:
        assert json.loads(np.load(buf)[()]) == meta
        got = np.load(buf)
        assert got.dtype == arr.dtype and got.shape == arr.shape
        assert np.array_equal(got, arr, equal_nan=arr.dtype.kind in "fc")
    assert buf.read() == b""
    assert np.lib.format.read_magic(
        open(os.path.join(HERE, "v2_header.npy"), "rb")) == (2, 0)


def main():
    os.makedirs(EXPECTED, exist_ok=True)
    write_named()
    write_plain()
    write_v2()
    write_fortran()
    write_bigendian()
    check()


if __name__ == "__main__":
    main()
