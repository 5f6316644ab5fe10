"""Hostile: shut down the protocol socket and stay alive, ignoring signals.

Tries: the grader sees its peer close, but the process does not exit, so a
grader that waits for the exit status could wait forever.
Must happen: the call fails, the child is killed, the grade finishes in
bounded time with score 0, the grader survives.
"""
import os
import signal
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
    for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
        signal.signal(number, signal.SIG_IGN)
    _grader_socket().shutdown(socket.SHUT_RDWR)
    while True:
        time.sleep(1)
