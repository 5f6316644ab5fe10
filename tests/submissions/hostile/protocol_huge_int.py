"""Hostile: a small, valid JSON header holding an integer of 5000 digits.

Tries: since Python 3.10.7/3.11, json.loads raises ValueError (not
JSONDecodeError) for integers over sys.get_int_max_str_digits() digits; if the
grader only catches decoding errors, the whole grade becomes an "Autograder error".
Must happen: rejected cleanly: no grader fault, the normal checks in
results.json, score no higher than the same loss without the attack.
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
    body = b'{"kind": "answer", "seconds": ' + b"9" * 5000 + b"}"
    _grader_socket().sendall(struct.pack(">I", len(body)) + body)
    return (logits * 0.0).sum()
