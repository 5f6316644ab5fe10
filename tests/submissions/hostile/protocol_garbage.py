"""Hostile: write garbage on the grader's protocol socket before every answer.

Tries: find the socket to the grader among its file descriptors and send a
well-framed length followed by bytes that are not UTF-8 JSON, hoping to crash
the grader's parser.
Must happen: the grader rejects the message cleanly (the call fails with a
protocol message, the child is replaced), no grader fault, score no higher
than the same loss without the attack, the grader survives.
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
    _grader_socket().sendall(b"\x00\x00\x00\x10" + b"\xff\xfe garbage \x00\x01\x02")
    return (logits * 0.0).sum()
