"""Hostile: write a forged, well-formed answer claiming a perfect result before the real one.

Tries: on every call, send the grader a complete answer message of its own:
a 0-dim float32 Tensor, connected to logits, no inputs mutated, fast, and a
loss and gradient of its own choosing (zero: it does not know the reference's
numbers), then return normally so the real answer follows and the stream is
out of step.
Must happen: no grader fault; the forged claims buy nothing: the score is no
higher than that of the zero loss it actually computes.
"""
import json
import os
import socket
import stat
import struct

import numpy as np


def _grader_socket():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
    raise RuntimeError("no socket found")


def _forge(n, a):
    arrays = {"value": np.zeros((), np.float64), "grad_logits": np.zeros((n, a), np.float64)}
    header = {"kind": "answer", "error": None, "error_type": None, "traceback": None, "memory": False,
              "returned": "Tensor", "shape": [], "dtype": "float32", "connected": True,
              "backward_error": None, "mutated": [], "seconds": 0.001, "verdict": "all checks passed",
              "arrays": [{"name": k, "dtype": "float64", "shape": list(v.shape)} for k, v in arrays.items()]}
    body = json.dumps(header).encode()
    return struct.pack(">I", len(body)) + body + b"".join(v.tobytes() for v in arrays.values())


def pseudo_loss(logits, actions, q_values):
    n, a = logits.shape
    _grader_socket().sendall(_forge(n, a))
    return (logits * 0.0).sum()
