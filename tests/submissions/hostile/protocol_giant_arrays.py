"""Hostile: a well-formed header that declares arrays of 2**46 float64 values.

Tries: make the grader allocate (or wait for) a petabyte of payload.
Must happen: rejected before a byte of payload is read, no grader fault,
score no higher than the same loss without the attack, the grader survives.
"""
import json
import os
import socket
import stat
import struct


def _grader_socket():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
    raise RuntimeError("no socket found")


def pseudo_loss(logits, actions, q_values):
    header = {"kind": "answer", "arrays": [{"name": "value", "dtype": "float64", "shape": [8388608, 8388608]},
                                          {"name": "grad_logits", "dtype": "float64", "shape": [8388608, 8388608]}]}
    body = json.dumps(header).encode()
    _grader_socket().sendall(struct.pack(">I", len(body)) + body + b"\0" * 4096)
    return (logits * 0.0).sum()
