#!/usr/bin/python3
"""make_seeds.py -- regenerate tests/fuzz/seeds/, the fuzzer's seed corpus.

Small inputs (each under 2 KiB) covering what the stream and text readers
accept and the ways they fail: every dtype, metadata records, .npy format
versions 1.0/2.0/3.0, Fortran order, big-endian data, several records in
one stream, truncated records, the TSV text form, and dk-import's
containers (.npz stored and deflated, safetensors).  The output is
deterministic, so rerunning leaves the seeds unchanged.

    /usr/bin/python3 tests/fuzz/make_seeds.py [OUTDIR]
"""
import io
import json
import os
import sys
import zipfile

import numpy as np
from numpy.lib import format as npformat

MAX_SEED = 2048


def npy(arr, version=None):
    """The bytes of one .npy record, as np.save (or a given version) writes."""
    buf = io.BytesIO()
    if version is None:
        np.save(buf, arr, allow_pickle=False)
    else:
        npformat.write_array(buf, arr, version=version, allow_pickle=False)
    return buf.getvalue()


def meta(name, axes=None, attrs=None, **extra):
    """A metadata record: a 0-d |S<n> record holding a JSON object."""
    obj = {"name": name}
    if axes is not None:
        obj["axes"] = axes
    if attrs is not None:
        obj["attrs"] = attrs
    obj.update(extra)
    text = json.dumps(obj, sort_keys=True, separators=(",", ":"))
    return npy(np.array(text.encode("utf-8")))


def named(name, arr, version=None, **kw):
    return meta(name, **kw) + npy(arr, version)


def raw_header(dict_text, major=1):
    """A hand-written header (for spellings np.save never produces)."""
    body = dict_text.encode("latin1")
    prefix = 10 if major == 1 else 12
    pad = -(prefix + len(body) + 1) % 64
    body += b" " * pad + b"\n"
    if major == 1:
        return b"\x93NUMPY\x01\x00" + len(body).to_bytes(2, "little") + body
    return (b"\x93NUMPY" + bytes([major, 0]) +
            len(body).to_bytes(4, "little") + body)


def seeds():
    rng = np.random.default_rng(20240601)
    f8 = rng.standard_normal((3, 4))
    s = {}

    # one record of each dtype
    s["f8_meta.npy"] = named("model/W", f8, axes=["out", "in"],
                             attrs={"kind": "rnn", "dt": 0.1})
    s["f4_plain.npy"] = npy(rng.standard_normal(5).astype("<f4"))
    s["c16_eig.npy"] = named("fp/eig", (rng.standard_normal(3) +
                                        1j * rng.standard_normal(3)))
    s["i8_labels.npy"] = named("labels", np.arange(6, dtype="<i8") - 3)
    s["i4_index.npy"] = npy(np.array([[1, -2], [2**31 - 1, -2**31]], "<i4"))
    s["u1_bytes.npy"] = npy(np.arange(0, 256, 37, dtype="|u1"))
    s["b1_mask.npy"] = named("mask", np.array([True, False, True]))
    s["S_tensor.npy"] = npy(np.array([b"ab", b"cde"]))

    # header versions, layouts and byte orders
    s["v2_header.npy"] = named("v2", f8[:2], version=(2, 0))
    s["v3_header.npy"] = npy(np.arange(4.0), version=(3, 0))
    s["fortran_f8.npy"] = named("fortran", np.asfortranarray(f8))
    s["fortran_3d_i4.npy"] = npy(np.asfortranarray(
        np.arange(24, dtype="<i4").reshape(2, 3, 4)))
    s["bigendian_f8.npy"] = npy(f8.astype(">f8"))
    s["bigendian_c16_i4.npy"] = (npy(np.array([1 + 2j, -0.5j], ">c16")) +
                                 npy(np.array([7, -7], ">i4")))
    s["special_values.npy"] = npy(np.array([np.nan, np.inf, -np.inf, 0.0,
                                            -0.0, 5e-324, 1.7976931348623157e308]))

    # several records in one stream, odd shapes
    s["stream_mixed.npy"] = (
        named("model/W", f8[:2, :2], attrs={"nonlinearity": "tanh"}) +
        npy(np.float64(3.5)) +                      # 0-d tensor, no metadata
        named("empty", np.zeros((0, 3))) +           # no elements
        named("fp/x", np.ones((1, 1, 2), "<f4"), axes=["a", "b", "c"],
              unknown={"kept": [1, 2]}) +
        named("model/b", np.array([1, 0], "|u1")))
    s["python2_header.npy"] = (
        raw_header("{'descr': '<f8', 'fortran_order': False, 'shape': (2L, 1L), }") +
        np.array([1.0, 2.0]).tobytes() +
        raw_header('{"shape": (1,), "fortran_order": True, "descr": "<i8"}', 2) +
        np.array([9], "<i8").tobytes())

    # broken inputs
    whole = named("cut", f8)
    s["trunc_data.npy"] = whole[:-5]
    s["trunc_header.npy"] = npy(f8)[:40]
    s["trunc_prefix.npy"] = npy(f8)[:9]
    s["trunc_meta.npy"] = meta("alone", attrs={"x": 1})
    s["meta_meta.npy"] = meta("a") + meta("b") + npy(np.arange(2.0))
    s["bad_meta_json.npy"] = npy(np.array(b'{"name": 3, "axes": "x"')) + npy(np.arange(2.0))
    s["bad_dtype.npy"] = npy(np.arange(3, dtype="<u2"))

    # the text form
    s["text_blocks.tsv"] = (
        b'# meta {"attrs":{"dt":0.1},"name":"model/W"}\n'
        b"# tensor <f8 (2, 3)\n"
        b"1\t2.5\t-3\n"
        b"4e-3\tnan\tinf\n"
        b"\n\n"
        b"# tensor <c16 (2,)\n"
        b"1\t-1\n"
        b"0.5\t2\n"
        b"\n\n"
        b"# tensor |b1 ()\n"
        b"1\n"
        b"\n\n"
        b"# tensor <i4 (2, 0)\n"
        b"\n\n")
    s["text_table.tsv"] = (b"# a plain table\n"
                           b"1 2 3\n4\t5\t6\n\n"
                           b"7 8\n")
    s["text_ints.tsv"] = (b'# meta {"name":"labels"}\n'
                          b"# tensor <i8 (3,)\n-9223372036854775808\n0\n"
                          b"9223372036854775807\n\n\n"
                          b"# tensor |u1 (2, 2)\n0\t255\n1\t2\n")
    # dk-import's containers: an .npz (stored and deflated) and safetensors
    s["npz_stored.npz"] = npz({"weight_hh_l0.npy": np.eye(2),
                               "bias_hh_l0.npy": np.arange(2.0)},
                              zipfile.ZIP_STORED)
    s["npz_deflated.npz"] = npz({"weight_ih_l0.npy": np.zeros((3, 1)),
                                 "meta.npy": named("x", np.ones(2))},
                                zipfile.ZIP_DEFLATED)
    s["npz_zip64.npz"] = npz({"weight_hh_l0.npy": np.ones((2, 2))},
                             zipfile.ZIP_STORED, zip64=True)
    s["tensors.safetensors"] = safetensors(
        {"weight_hh_l0": np.arange(4.0).reshape(2, 2),
         "bias_hh_l0": np.array([0.5, -1], dtype="<f4")})
    return s


def npz(members, method, zip64=False):
    """A zip archive as np.savez writes one, with a fixed timestamp (np.savez
    stamps the current time) so the seed's bytes do not change; zip64: with
    the zip64 extra fields np.savez itself writes (force_zip64)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for name, member in members.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            data = member if isinstance(member, bytes) else npy(member)
            with z.open(info, "w", force_zip64=zip64) as f:
                f.write(data)
    return buf.getvalue()


def safetensors(tensors):
    """The safetensors layout: an 8-byte little-endian header length, the
    JSON header, the tensors' bytes."""
    names = {"<f8": "F64", "<f4": "F32"}
    header, data = {"__metadata__": {"format": "pt"}}, b""
    for name, arr in tensors.items():
        raw = arr.tobytes()
        header[name] = {"dtype": names[arr.dtype.str], "shape": list(arr.shape),
                        "data_offsets": [len(data), len(data) + len(raw)]}
        data += raw
    text = json.dumps(header, sort_keys=True).encode()
    return len(text).to_bytes(8, "little") + text + data


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "seeds")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(seeds().items()):
        if len(data) >= MAX_SEED:
            sys.exit("make_seeds.py: %s is %d bytes (limit %d)"
                     % (name, len(data), MAX_SEED))
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
