"""Hostile: a complete, well-formed answer whose "seconds" is a 400-digit integer.

Tries: the JSON is valid and the integer is under Python's 4300-digit limit,
so the message parses; but the integer does not fit in a float, and
math.isfinite() on it raises OverflowError (neither ValueError nor
TypeError), which could escape the grader's validation of the answer and turn
the whole grade into an "Autograder error".
Must happen: rejected as a malformed answer: no grader fault, the normal
checks in results.json, score no higher than the same loss without the attack.
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
    header = {"kind": "answer", "error": None, "error_type": None, "traceback": None, "memory": False,
              "returned": "Tensor", "shape": [], "dtype": "float32", "connected": False,
              "backward_error": None, "mutated": [], "seconds": 10 ** 400, "arrays": []}
    body = json.dumps(header).encode()
    _grader_socket().sendall(struct.pack(">I", len(body)) + body)
    return (logits * 0.0).sum()
