"""The framing between grader and child: round trips, and everything a hostile peer could send."""

from __future__ import annotations

import json
import socket
import struct
import time

import numpy as np
import pytest

from grader.sandbox import protocol
from grader.sandbox.protocol import Bounds, PeerClosed, PeerTimeout, ProtocolError


@pytest.fixture
def pair():
    a, b = socket.socketpair()
    yield a, b
    a.close()
    b.close()


def raw(header: dict) -> bytes:
    body = json.dumps(header).encode()
    return struct.pack(">I", len(body)) + body


def test_round_trip_keeps_header_dtypes_and_shapes(pair):
    a, b = pair
    arrays = {
        "x": np.arange(6, dtype=np.float32).reshape(2, 3),
        "i": np.array([1, -2], dtype=np.int64),
        "scalar": np.array(2.5),
    }
    protocol.send(a, {"op": "call", "n": 3}, arrays)
    header, got = protocol.recv(b)
    assert header == {"op": "call", "n": 3}
    for name, array in arrays.items():
        assert got[name].dtype == array.dtype and got[name].shape == array.shape
        np.testing.assert_array_equal(got[name], array)


def test_header_larger_than_bound_is_rejected_before_reading_it(pair):
    a, b = pair
    a.sendall(struct.pack(">I", 10**9))
    with pytest.raises(ProtocolError, match="exceeds"):
        protocol.recv(b, Bounds(header_bytes=1024))


def test_declared_arrays_larger_than_bound_are_rejected(pair):
    a, b = pair
    a.sendall(raw({"arrays": [{"name": "g", "dtype": "float64", "shape": [4096, 4096]}]}))
    with pytest.raises(ProtocolError, match="exceed"):
        protocol.recv(b, Bounds(payload_bytes=1024 * 1024))


def test_overflowing_shape_product_is_rejected(pair):
    a, b = pair
    a.sendall(raw({"arrays": [{"name": "g", "dtype": "float64", "shape": [2**22, 2**22, 2**22, 2**22]}]}))
    with pytest.raises(ProtocolError):
        protocol.recv(b)


@pytest.mark.parametrize(
    "spec",
    [
        {"name": "o", "dtype": "object", "shape": [1]},
        {"name": "o", "dtype": "float64", "shape": [-1]},
        {"name": "o", "dtype": "float64", "shape": [1.5]},
        {"name": "o", "dtype": "float64", "shape": "3"},
        {"name": 7, "dtype": "float64", "shape": [1]},
        "not a dict",
    ],
)
def test_bad_array_specs_are_rejected(pair, spec):
    a, b = pair
    a.sendall(raw({"arrays": [spec]}))
    with pytest.raises(ProtocolError):
        protocol.recv(b)


def test_duplicate_array_names_are_rejected(pair):
    a, b = pair
    spec = {"name": "g", "dtype": "float64", "shape": [1]}
    a.sendall(raw({"arrays": [spec, spec]}) + b"\0" * 16)
    with pytest.raises(ProtocolError, match="name"):
        protocol.recv(b)


@pytest.mark.parametrize("body", [b"\xff\xfe not json", b"[1, 2, 3]", b'"just a string"'])
def test_header_that_is_not_a_json_object_is_rejected(pair, body):
    a, b = pair
    a.sendall(struct.pack(">I", len(body)) + body)
    with pytest.raises(ProtocolError):
        protocol.recv(b)


def test_truncated_message_means_the_peer_closed(pair):
    a, b = pair
    a.sendall(raw({"arrays": [{"name": "g", "dtype": "float64", "shape": [10]}]}) + b"\0" * 8)
    a.close()
    with pytest.raises(PeerClosed):
        protocol.recv(b)


def test_silence_past_the_deadline_is_a_timeout(pair):
    _, b = pair
    start = time.monotonic()
    with pytest.raises(PeerTimeout):
        protocol.recv(b, deadline=time.monotonic() + 0.2)
    assert time.monotonic() - start < 1.0


def test_sender_refuses_object_arrays(pair):
    a, _ = pair
    with pytest.raises(ProtocolError):
        protocol.send(a, {}, {"x": np.array([object()])})
