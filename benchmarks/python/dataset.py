"""Reads the benchmark data set files written by benchmarks/lib/datasets.mjs.

Layout: 8-byte magic b"MRBENCH1", a little-endian uint32 header length, a JSON header (padded
so the data starts on an 8-byte boundary), then float64 little-endian row-major arrays at the
offsets the header lists. Reading the very bytes millrace reads keeps the comparison exact.
"""

import json
import struct

import numpy as np

MAGIC = b"MRBENCH1"


def read_dataset(path):
    """Returns (header, arrays): arrays maps each name to a float64 numpy array of its shape."""
    with open(path, "rb") as f:
        data = f.read()
    if data[: len(MAGIC)] != MAGIC:
        raise ValueError(f"{path} is not a benchmark data set (no {MAGIC!r} magic)")
    (header_length,) = struct.unpack_from("<I", data, len(MAGIC))
    start = len(MAGIC) + 4 + header_length
    header = json.loads(data[len(MAGIC) + 4 : start].decode("utf8"))
    arrays = {}
    for entry in header["arrays"]:
        count = int(np.prod(entry["shape"]))
        values = np.frombuffer(data, dtype="<f8", count=count, offset=start + entry["offset"])
        # Row-major float64 already, as scikit-learn wants it: a read-only view, no copy.
        arrays[entry["name"]] = values.reshape(entry["shape"])
    return header, arrays
