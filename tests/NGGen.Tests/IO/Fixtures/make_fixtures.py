#!/usr/bin/python3
"""Writes the IO test fixtures with NumPy and Python's json/struct, independently of NGGen's readers and writers.

Every array holds a[r, c] = r + c / 8 (exact in float32 and float64), so the tests check values by that formula.
Run from this folder: /usr/bin/python3 make_fixtures.py (NumPy 1.24, Debian's python3-numpy).
"""
import json
import struct

import numpy as np


def table(rows, cols, dtype):
    r, c = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    return (r + c / 8).astype(dtype)


np.save("c_order_f8.npy", table(5, 3, "<f8"))
np.save("c_order_f4.npy", table(4, 2, "<f4"))
np.save("big_endian_f8.npy", table(3, 2, ">f8"))
np.save("fortran_order_f8.npy", np.asfortranarray(table(4, 3, "<f8")))
np.save("one_dimensional_f8.npy", table(6, 1, "<f8")[:, 0])
np.save("int32.npy", np.arange(6, dtype="<i4").reshape(3, 2))
np.save("three_dimensional_f8.npy", np.zeros((2, 2, 2)))
with_nan = table(3, 2, "<f8")
with_nan[1, 1] = np.nan
np.save("nan_f8.npy", with_nan)
# Format version 2.0 (4-byte header length), which NumPy writes for very wide headers.
with open("version2_f8.npy", "wb") as f:
    np.lib.format.write_array(f, table(2, 2, "<f8"), version=(2, 0))

# A safetensors file built from the specification with json and struct: an F32 tensor, an F64 tensor and metadata.
tensors = {"weights": table(2, 3, "<f4"), "bias": table(3, 1, "<f8")[:, 0]}
header, data, offset = {"__metadata__": {"written_by": "make_fixtures.py"}}, b"", 0
for name, array in tensors.items():
    raw = array.tobytes()
    header[name] = {"dtype": {"float32": "F32", "float64": "F64"}[str(array.dtype)], "shape": list(array.shape),
                    "data_offsets": [offset, offset + len(raw)]}
    data += raw
    offset += len(raw)
encoded = json.dumps(header).encode()
encoded += b" " * (-len(encoded) % 8)
with open("python_written.safetensors", "wb") as f:
    f.write(struct.pack("<Q", len(encoded)) + encoded + data)
