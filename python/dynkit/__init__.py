"""dynkit -- read and write dynkit tensor streams with NumPy alone.

A dynkit stream (man/dk-stream.5) is a sequence of .npy records written
one after another; a 0-d byte-string record of JSON before a tensor
gives its name, axis labels and attributes.  np.load reads one record
from a file but seeks, so it cannot read a pipe, and every script that
reads several records writes the same loop.  This module is that loop,
done once:

    import sys, dynkit
    for name, x, meta in dynkit.read(sys.stdin.buffer):
        print(name, x.dtype, x.shape, meta.get("axes"))

    with open("run.npy", "wb") as f:
        dynkit.write(f, "model/W", W, axes=["out", "in"], attrs={"g": 1.5})

read() takes each record with f.read(n) of exactly the bytes it needs,
never seeking and never holding more than the current record, so it
reads pipes and streams longer than memory; NumPy's own header parser
checks each header.  Errors raise StreamError, whose message names the
record (counted from 0, metadata records included, as the tools count).
"""
import collections
import io
import json
import os
import struct

import numpy as np
import numpy.lib.format as npy_format

__all__ = ["Record", "StreamError", "read", "read_raw", "write", "load",
           "meta", "metadata_bytes"]

Record = collections.namedtuple("Record", "name array meta")
Record.__doc__ = """One tensor of a stream.

name: its metadata's "name", or None when it has none;
array: the tensor, as np.load would return it (byte order and
Fortran order as stored);
meta: its metadata object (with "name", "axes", "attrs" and any other
keys it carries), {} for a tensor with no metadata record."""

# The dtypes the tools carry (dk-stream(5), "Element types"); byte
# strings with at least one axis are carried too.
STREAM_DTYPES = ("<f8", "<f4", "<c16", "<i8", "<i4", "|u1", "|b1")

MAGIC = b"\x93NUMPY"
HEADER_LIMIT = 65536           # bytes of a header dict, as the tools
METADATA_LIMIT = 16 * 1024 * 1024
CHUNK = 16 * 1024 * 1024       # read large data in steps: a hostile
                               # shape allocates only what arrives


class StreamError(ValueError):
    """A stream that breaks dk-stream(5); .record is the record's index.

    The message begins "record N: ", with the tensor's name once known,
    unless it names records itself (prefix False).
    """

    def __init__(self, record, message, name=None, prefix=True):
        if prefix:
            where = "record %d" % record
            if name is not None:
                where += " (%r)" % name
            message = "%s: %s" % (where, message)
        super().__init__(message)
        self.record = record


def _read_exactly(f, n):
    """Up to n bytes of f, fewer only at its end (a pipe gives short reads)."""
    parts, got = [], 0
    while got < n:
        part = f.read(min(n - got, CHUNK))
        if part is None:
            raise BlockingIOError("dynkit reads blocking files: a "
                                  "non-blocking one had no data ready")
        if not isinstance(part, (bytes, bytearray)):
            raise TypeError("dynkit reads binary files: open with 'rb', "
                            "or use sys.stdin.buffer")
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts)


def _parse_header(version, hlen_bytes, header, index):
    """(shape, fortran_order, dtype) by NumPy's parser, or StreamError."""
    if version == (3, 0):
        # 3.0 differs from 2.0 only in a UTF-8 header; the dtypes a
        # stream may hold are spelled in ASCII
        if not header.isascii():
            raise StreamError(index, "malformed header: non-ASCII text in "
                              "a version 3.0 header")
        version = (2, 0)
    reader = (npy_format.read_array_header_1_0 if version == (1, 0)
              else npy_format.read_array_header_2_0)
    try:
        try:
            return reader(io.BytesIO(hlen_bytes + header),
                          max_header_size=HEADER_LIMIT)
        except TypeError:          # NumPy before 1.24: no size argument
            return reader(io.BytesIO(hlen_bytes + header))
    except (ValueError, SyntaxError) as e:
        raise StreamError(index, "malformed header: %s" %
                          str(e).splitlines()[0]) from None


def _read_record(f, index, name):
    """The next .npy record of f as an array, None at a clean end of input.

    index and name (the name its metadata gave, or None) go into the
    message of the StreamError raised for a partial or malformed record.
    """
    start = _read_exactly(f, 8)
    if not start:
        return None
    if len(start) < 8 or start[:6] != MAGIC:
        if start[:len(MAGIC)] != MAGIC[:len(start)]:
            raise StreamError(index, "not a .npy record (bad magic bytes)")
        raise StreamError(index, "truncated header: stream ends after "
                          "%d bytes of the record" % len(start))
    version = (start[6], start[7])
    if version not in ((1, 0), (2, 0), (3, 0)):
        raise StreamError(index, "unknown .npy format version %d.%d"
                          % version)
    size_format = "<H" if version == (1, 0) else "<I"
    size_len = struct.calcsize(size_format)
    hlen_bytes = _read_exactly(f, size_len)
    if len(hlen_bytes) < size_len:
        raise StreamError(index, "truncated header: stream ends after "
                          "%d of %d prefix bytes"
                          % (8 + len(hlen_bytes), 8 + size_len))
    (hlen,) = struct.unpack(size_format, hlen_bytes)
    if hlen > HEADER_LIMIT:
        raise StreamError(index, "header of %d bytes exceeds the limit "
                          "of %d" % (hlen, HEADER_LIMIT))
    header = _read_exactly(f, hlen)
    if len(header) < hlen:
        raise StreamError(index, "truncated header: %d of %d bytes "
                          "missing" % (hlen - len(header), hlen))
    shape, fortran_order, dtype = _parse_header(version, hlen_bytes,
                                                header, index)
    if dtype.hasobject:
        raise StreamError(index, "unsupported dtype %r (Python objects "
                          "are not read)" % dtype.str, name)
    count = 1
    for dim in shape:
        count *= dim
    nbytes = count * dtype.itemsize
    is_metadata = shape == () and dtype.kind == "S"
    if is_metadata and nbytes > METADATA_LIMIT:
        raise StreamError(index, "metadata record of %d bytes exceeds "
                          "the limit of %d" % (nbytes, METADATA_LIMIT))
    data = _read_exactly(f, nbytes)
    if len(data) < nbytes:
        what = "metadata" if is_metadata else "data"
        raise StreamError(index, "%s truncated: %d of %d bytes missing"
                          % (what, nbytes - len(data), nbytes), name)
    order = "F" if fortran_order else "C"
    if nbytes == 0:
        array = np.empty(shape, dtype, order=order)
    else:
        # a bytearray, so that the array is writable as np.load's are
        array = np.frombuffer(bytearray(data), dtype, count)
        array = array.reshape(shape, order=order)
    return array


def _no_duplicate_keys(pairs):
    keys = [k for k, v in pairs]
    twice = sorted({k for k in keys if keys.count(k) > 1})
    if twice:
        raise ValueError("duplicate key %r" % twice[0])
    return dict(pairs)


def _parse_metadata(raw, index):
    """The metadata object of a record's bytes, checked as dk-stream(5) says.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        raise StreamError(index, "metadata is not UTF-8 (%s)" % e) from None
    try:
        obj = json.loads(text, object_pairs_hook=_no_duplicate_keys)
    except ValueError as e:
        raise StreamError(index, "metadata is not JSON: %s" % e) from None
    if not isinstance(obj, dict):
        raise StreamError(index, "metadata is not a JSON object")
    if "name" in obj and not isinstance(obj["name"], str):
        raise StreamError(index, 'metadata "name" is not a string')
    axes = obj.get("axes", [])
    if not isinstance(axes, list) or not all(isinstance(a, str) for a in axes):
        raise StreamError(index, 'metadata "axes" is not an array of strings')
    if not isinstance(obj.get("attrs", {}), dict):
        raise StreamError(index, 'metadata "attrs" is not an object')
    return obj


def _tensors(f):
    """(record index, metadata bytes or None, metadata object, array) of
    each tensor of f, metadata checked as dk-stream(5) says."""
    index, pending = 0, None    # (index, bytes, object) of a metadata record
    while True:
        name = pending[2].get("name") if pending else None
        array = _read_record(f, index, name)
        if array is None:
            break
        if array.ndim == 0 and array.dtype.kind == "S":
            if pending is not None:
                raise StreamError(pending[0], "metadata record has no "
                                  "tensor after it (record %d is metadata "
                                  "too)" % index)
            raw = bytes(array[()])                 # trailing NULs removed
            pending = (index, raw, _parse_metadata(raw, index))
        elif pending is not None:
            yield index, pending[1], pending[2], array
            pending = None
        else:
            yield index, None, {}, array
        index += 1
    if pending is not None:
        raise StreamError(pending[0], "metadata record has no tensor after it")


def _open(src):
    """(binary file, whether this module opened it) of a path or a file."""
    if isinstance(src, (str, os.PathLike)):
        return open(src, "rb"), True
    if not hasattr(src, "read"):
        raise TypeError("dynkit reads a path or a binary file object, not "
                        "%s (bytes in memory: io.BytesIO(data))"
                        % type(src).__name__)
    return src, False


def _records_with_meta(src):
    """(record index, raw metadata or None, metadata object, array)."""
    f, mine = _open(src)
    try:
        yield from _tensors(f)
    finally:
        if mine:
            f.close()


def read(src):
    """Yield a Record(name, array, meta) for each tensor of a stream.

    src is a path, or a binary file object read from where it stands to
    its end: an open file, sys.stdin.buffer, a subprocess's stdout.  Only
    f.read(n) is called, so pipes work and nothing is kept but the
    current record.  A tensor with no metadata has name None and meta
    {}.  Records of any dtype NumPy reads without pickle are returned
    as np.load returns them (big-endian or Fortran order as stored).
    A clean end of input between records ends the iteration; a partial
    record, a metadata record at the end or two in a row, or metadata
    that is not a JSON object raise StreamError naming the record.
    """
    for index, raw, obj, array in _records_with_meta(src):
        yield Record(obj.get("name"), array, obj)


def read_raw(src):
    """Yield (metadata bytes or None, array) for each tensor of a stream.

    As read(), with each tensor's metadata as the bytes of its record
    (trailing NULs removed) rather than parsed, for copies that keep the
    bytes the tools wrote; the metadata is still checked to be JSON.
    """
    for index, raw, obj, array in _records_with_meta(src):
        yield raw, array


def _same(a, b):
    """Equal dtype, shape and bytes, whatever the byte order and layout
    each was stored in: the tools' test of two copies of a name."""
    def canonical(x):
        return np.ascontiguousarray(x, x.dtype.newbyteorder("<"))
    a, b = canonical(a), canonical(b)
    return (a.dtype == b.dtype and a.shape == b.shape and
            a.tobytes() == b.tobytes())


def _named(src):
    """{name: (record index, metadata, array)}, arr_N for unnamed tensors.

    Two records of one name must be identical copies (the later's
    metadata wins), as the tools that read a stream whole require.
    """
    out = {}
    for n, (index, raw, obj, array) in enumerate(_records_with_meta(src)):
        name = obj.get("name", "arr_%d" % n)
        if name in out and not _same(out[name][2], array):
            raise StreamError(index, "records %d and %d are both named %r "
                              "and differ" % (out[name][0], index, name),
                              prefix=False)
        out[name] = (index, obj, array)
    return out


def load(src):
    """{name: array} of every tensor of a stream (arr_N when unnamed).

    A name that comes twice must hold the same dtype, shape and bytes
    both times; otherwise StreamError names both records.
    """
    return {name: array for name, (i, obj, array) in _named(src).items()}


def meta(src):
    """{name: metadata object} of the tensors of a stream that have one."""
    return {name: obj for name, (i, obj, array) in _named(src).items() if obj}


def _json_default(value):
    """NumPy scalars and arrays in attrs are written as their Python values."""
    if isinstance(value, (np.generic, np.ndarray)):
        return value.tolist()
    raise TypeError("%s is not JSON serializable" % type(value).__name__)


def metadata_bytes(name=None, axes=None, attrs=None):
    """The JSON text of a metadata record, as the tools write it.

    Compact, keys sorted, non-ASCII characters escaped; keys left None
    are omitted.
    """
    obj = {}
    if name is not None:
        if not isinstance(name, str):
            raise TypeError("name must be a string, not %r" % (name,))
        obj["name"] = name
    if axes is not None:
        axes = list(axes)
        if not all(isinstance(a, str) for a in axes):
            raise TypeError("axes must be strings: %r" % (axes,))
        obj["axes"] = axes
    if attrs is not None:
        if not isinstance(attrs, dict):
            raise TypeError("attrs must be a dict, not %r"
                            % type(attrs).__name__)
        obj["attrs"] = attrs
    return json.dumps(obj, sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True, allow_nan=False,
                      default=_json_default).encode("ascii")


def _stream_array(array):
    """array as the stream carries it: little-endian, C order, or TypeError."""
    array = np.asarray(array)
    if array.dtype.kind == "S":
        if array.ndim == 0:
            raise TypeError("a 0-d byte string would read as a metadata "
                            "record: give it one axis")
        return np.ascontiguousarray(array)
    little = array.dtype.newbyteorder("<")
    if little.str not in STREAM_DTYPES:
        raise TypeError("dtype %s is not one a stream carries (%s): convert "
                        "it with astype" % (array.dtype,
                                            " ".join(STREAM_DTYPES)))
    return np.ascontiguousarray(array, dtype=little)


def write(dst, name, array, axes=None, attrs=None):
    """Append a metadata record and the tensor to a stream.

    dst is a binary file object written at its position, or a path,
    which is opened for appending (created when missing): a stream is
    records one after another, so calls on one path add to it, and a
    script that should start afresh removes or truncates the file first.
    The metadata record holds name, axes and attrs (those not None; none
    at all when all three are None); attrs may hold NumPy scalars and
    arrays, and no NaN or infinity, which JSON has no words for.  The
    tensor is written in .npy format 1.0, little-endian and in C order,
    so its bytes are those the tools write; its dtype must be one the
    stream carries (<f8 <f4 <c16 <i8 <i4 |u1 |b1, or a byte string with
    at least one axis), so convert others with astype.
    """
    array = _stream_array(array)
    text = None
    if name is not None or axes is not None or attrs is not None:
        text = metadata_bytes(name, axes, attrs)
    if isinstance(dst, (str, os.PathLike)):
        with open(dst, "ab") as f:
            _write_records(f, text, array)
    elif hasattr(dst, "write"):
        _write_records(dst, text, array)
    else:
        raise TypeError("dynkit writes to a path or a binary file object, "
                        "not %s" % type(dst).__name__)


def _write_records(f, text, array):
    """The metadata record (when text is not None), then the tensor."""
    if text is not None:
        npy_format.write_array(f, np.array(text), version=(1, 0),
                               allow_pickle=False)
    npy_format.write_array(f, array, version=(1, 0), allow_pickle=False)
