"""Hostile: a small header (50 KB, under the size limit) that is JSON nested 25 000 levels deep.

Tries: json.loads raises RecursionError (not a JSONDecodeError) on deep nesting;
if the grader only catches decoding errors, the exception escapes the protocol
layer and the whole grade becomes an "Autograder error".
Must happen: rejected cleanly like any other malformed message: no grader
fault, the normal checks in results.json, score no higher than the same loss
without the attack.
"""
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
    body = b'{"kind": "answer", "x": ' + b"[" * 25000 + b"]" * 25000 + b"}"
    _grader_socket().sendall(struct.pack(">I", len(body)) + body)
    return (logits * 0.0).sum()
