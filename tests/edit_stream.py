"""edit_stream.py -- IN OUT CODE: rewrite a stream with a small edit.

The hardening tests make bad checkpoints and models out of good ones:
CODE is Python run with `recs` (a list of [meta, array], meta the record's
metadata as a dict or None), `np`, and the helpers below, and the edited
records are written to OUT as np.save writes them.
"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from npystream import records, save_bytes  # noqa: E402

src, dst, code = sys.argv[1:4]
recs = [[json.loads(raw) if raw else None, a] for raw, a in records(src)]


def find(name):
    """The record named name (the first)."""
    return next(r for r in recs if r[0] and r[0]["name"] == name)


def options():
    """The run options a checkpoint keeps in the attrs of train/step."""
    return find("train/step")[0]["attrs"]["options"]


def rng_index(value, name="train/rng"):
    """Set the index of the MT19937 state in name's bytes (GSL's struct:
    624 unsigned longs, then the int index)."""
    r = find(name)
    s = r[1].copy()
    s[624 * 8:624 * 8 + 4] = np.frombuffer(np.int32(value).tobytes(), np.uint8)
    r[1] = s


def model_attrs(key, value):
    """Set a model attr in every model/... record."""
    for m, a in recs:
        if m and "model" in m.get("attrs", {}):
            m["attrs"]["model"][key] = value


exec(code)
out = [(json.dumps(m).encode() if m is not None else None, a) for m, a in recs]
with open(dst, "wb") as f:
    f.write(save_bytes(out))
