"""Hostile: announce a 4 GiB message on the grader's protocol socket.

Tries: a length header of 0xFFFFFFFF, hoping the grader allocates 4 GiB or waits for it forever.
Must happen: rejected at once (header larger than allowed), no grader fault,
score no higher than the same loss without the attack, the grader survives.
"""
import os
import socket
import stat


def _grader_socket():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
    raise RuntimeError("no socket found")


def pseudo_loss(logits, actions, q_values):
    _grader_socket().sendall(b"\xff\xff\xff\xff" + b"A" * 1024)
    return (logits * 0.0).sum()
