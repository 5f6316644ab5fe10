"""Hostile: trickle a message to the grader one byte at a time, forever.

Tries: keep the grader's reader busy without ever completing a message, so
a per-read timeout (rather than a deadline for the whole message) never fires.
Must happen: the call times out ("no answer within"), score 0, the grader survives.
"""
import os
import socket
import stat
import time


def _grader_socket():
    for fd in range(3, 256):
        try:
            if stat.S_ISSOCK(os.fstat(fd).st_mode):
                return socket.socket(fileno=os.dup(fd))
        except OSError:
            continue
    raise RuntimeError("no socket found")


def pseudo_loss(logits, actions, q_values):
    sock = _grader_socket()
    sock.sendall(b"\x00\x00\x10\x00")
    while True:
        sock.sendall(b" ")
        time.sleep(0.05)
