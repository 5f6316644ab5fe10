"""Hostile: talk to the grader directly over the protocol socket (the attack is BAKED["attack"]).

Tries: find the socket to the grader among its own file descriptors and, on
every call, write to it before (or instead of) answering:
- garbage: a well-framed length, then bytes that are not UTF-8 JSON;
- giant_length: a length header of 0xFFFFFFFF (4 GiB to allocate or wait for);
- giant_arrays: a header declaring two 2^46-element float64 arrays;
- forged_answer: a complete, well-formed answer claiming a connected scalar
  tensor with a zero gradient, sent ahead of the real one (out of step);
- slow_drip: a 4 KiB length, then one byte every 50 ms, never finishing;
- deep_json: JSON nested 25 000 deep (json.loads raises RecursionError);
- huge_int: an integer of 5000 digits (json.loads raises ValueError);
- overflowing_number: "seconds": 10**400, valid JSON that overflows a float;
- hang_up: shut the socket down and live on, ignoring SIGTERM/SIGINT/SIGHUP.
Must happen: every message is rejected cleanly (the call fails, the child is
replaced), never a grader fault; the score is no higher than the same loss
(always zero) without the attack; a hang-up costs about one call timeout.
"""
import json
import os
import signal
import socket
import stat
import struct
import time

import numpy as np

BAKED = {}


def _grader_socket():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
    raise RuntimeError("no socket found")


def _framed(header, payload=b""):
    body = header if isinstance(header, bytes) else json.dumps(header).encode()
    return struct.pack(">I", len(body)) + body + payload


def _forged(n, a):
    arrays = {"value": np.zeros((), np.float64), "grad_logits": np.zeros((n, a), np.float64)}
    header = {"kind": "answer", "error": None, "error_type": None, "traceback": None, "memory": False,
              "returned": "Tensor", "tensor": True, "shape": [], "dtype": "float32", "connected": True,
              "backward_error": None, "mutated": [], "largest": None, "seconds": 0.001,
              "arrays": [{"name": k, "dtype": "float64", "shape": list(v.shape)} for k, v in arrays.items()]}
    return _framed(header, b"".join(v.tobytes() for v in arrays.values()))


def _drip(sock):
    sock.sendall(b"\x00\x00\x10\x00")
    while True:
        sock.sendall(b" ")
        time.sleep(0.05)


def _hang_up(sock):
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    sock.shutdown(socket.SHUT_RDWR)
    while True:
        time.sleep(1)


_GIANT = {"name": "value", "dtype": "float64", "shape": [8388608, 8388608]}
ATTACKS = {
    "garbage": lambda sock, n, a: sock.sendall(b"\x00\x00\x00\x10" + b"\xff\xfe garbage \x00\x01\x02"),
    "giant_length": lambda sock, n, a: sock.sendall(b"\xff\xff\xff\xff" + b"A" * 1024),
    "giant_arrays": lambda sock, n, a: sock.sendall(
        _framed({"kind": "answer", "arrays": [_GIANT, dict(_GIANT, name="grad_logits")]}, b"\0" * 4096)),
    "forged_answer": lambda sock, n, a: sock.sendall(_forged(n, a)),
    "slow_drip": lambda sock, n, a: _drip(sock),
    "deep_json": lambda sock, n, a: sock.sendall(_framed(b'{"kind": "answer", "x": ' + b"[" * 25000 + b"]" * 25000 + b"}")),
    "huge_int": lambda sock, n, a: sock.sendall(_framed(b'{"kind": "answer", "seconds": ' + b"9" * 5000 + b"}")),
    "overflowing_number": lambda sock, n, a: sock.sendall(_framed(b'{"kind": "answer", "seconds": 1' + b"0" * 400 + b"}")),
    "hang_up": lambda sock, n, a: _hang_up(sock),
}


def pseudo_loss(logits, actions, q_values):
    ATTACKS[BAKED.get("attack", "garbage")](_grader_socket(), *logits.shape)
    return (logits * 0.0).sum()
