"""Framed messages between the grader and the sandboxed child: JSON plus raw arrays.

A message is a 4-byte big-endian header length, a UTF-8 JSON object, then the
bytes of each array the header lists under "arrays" ({name, dtype, shape}), in
C order. Nothing is unpickled or evaluated: the receiver checks every declared
size against its limits before reading a byte of payload, and builds arrays with
``numpy.frombuffer`` from a fixed list of plain dtypes.
"""

from __future__ import annotations

import json
import math
import socket
import struct
import time
from dataclasses import dataclass
from typing import Dict, Optional, Tuple

import numpy as np

from grader.errors import SubmissionError

DTYPES = ("float32", "float64", "int64", "bool")
_LEN = struct.Struct(">I")

Arrays = Dict[str, np.ndarray]


class ProtocolError(SubmissionError):
    """The peer sent something that is not a well-formed message within the limits."""


class PeerClosed(ProtocolError):
    """The peer closed the connection (for the child: it exited or was killed)."""


class PeerTimeout(ProtocolError):
    """The peer did not send a whole message before the deadline."""


@dataclass(frozen=True)
class Bounds:
    """What a receiver accepts: header bytes, arrays per message, payload bytes."""

    header_bytes: int = 64 * 1024
    arrays: int = 8
    payload_bytes: int = 8 * 1024 * 1024


def send(sock: socket.socket, header: dict, arrays: Optional[Arrays] = None) -> None:
    arrays = arrays or {}
    specs = []
    blobs = []
    for name, array in arrays.items():
        array = np.asarray(array)
        if array.dtype.name not in DTYPES:
            raise ProtocolError(f"array {name!r} has unsupported dtype {array.dtype}")
        specs.append({"name": name, "dtype": array.dtype.name, "shape": list(array.shape)})
        blobs.append(array.tobytes(order="C"))
    body = json.dumps({**header, "arrays": specs}, allow_nan=True).encode()
    sock.sendall(b"".join([_LEN.pack(len(body)), body, *blobs]))


def recv(sock: socket.socket, bounds: Bounds = Bounds(), deadline: Optional[float] = None) -> Tuple[dict, Arrays]:
    """Read one message; raise ProtocolError (or a subclass) on anything out of bounds."""
    (length,) = _LEN.unpack(_read(sock, _LEN.size, deadline))
    if length > bounds.header_bytes:
        raise ProtocolError(f"header of {length} bytes exceeds {bounds.header_bytes}")
    try:
        header = json.loads(_read(sock, length, deadline).decode())
    except (ValueError, RecursionError) as exc:  # bad UTF-8 or JSON, an int of 5000 digits, [[[[...]]]]
        raise ProtocolError(f"header is not acceptable JSON: {type(exc).__name__}") from None
    if not isinstance(header, dict):
        raise ProtocolError("header is not a JSON object")
    specs = header.pop("arrays", [])
    shapes = _validate_specs(specs, bounds)
    arrays = {}
    for spec, shape in zip(specs, shapes):
        dtype = np.dtype(spec["dtype"])
        count = math.prod(shape)
        data = _read(sock, count * dtype.itemsize, deadline)
        arrays[spec["name"]] = np.frombuffer(data, dtype=dtype).reshape(shape)
    return header, arrays


def _validate_specs(specs, bounds: Bounds) -> list:
    if not isinstance(specs, list) or len(specs) > bounds.arrays:
        raise ProtocolError("bad array list")
    shapes, total, names = [], 0, set()
    for spec in specs:
        if not isinstance(spec, dict) or spec.get("dtype") not in DTYPES:
            raise ProtocolError(f"bad array spec {str(spec)[:100]}")
        name, shape = spec.get("name"), spec.get("shape")
        if not isinstance(name, str) or len(name) > 32 or name in names:
            raise ProtocolError("bad array name")
        if (
            not isinstance(shape, list)
            or len(shape) > 4
            or not all(type(n) is int and 0 <= n <= bounds.payload_bytes for n in shape)
        ):
            raise ProtocolError(f"bad shape for array {name!r}")
        names.add(name)
        total += math.prod(shape) * np.dtype(spec["dtype"]).itemsize
        if total > bounds.payload_bytes:
            raise ProtocolError(f"arrays exceed {bounds.payload_bytes} bytes")
        shapes.append(tuple(shape))
    return shapes


def _read(sock: socket.socket, count: int, deadline: Optional[float]) -> bytes:
    buffer = bytearray(count)
    view = memoryview(buffer)
    got = 0
    while got < count:
        if deadline is not None:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise PeerTimeout("no answer before the deadline")
            sock.settimeout(remaining)
        try:
            n = sock.recv_into(view[got:], count - got)
        except TimeoutError:
            raise PeerTimeout("no answer before the deadline") from None
        except OSError as exc:
            raise PeerClosed(f"connection lost: {exc}") from None
        if n == 0:
            raise PeerClosed("connection closed")
        got += n
    return bytes(buffer)
