"""Hostile: a correct loss that leaves an immortal daemon behind.

Tries: at import, double-fork, setsid, ignore every catchable signal, close
its descriptors and sleep forever, so the daemon outlives the grading (it
could keep burning CPU or wait for the next student's files).
Must happen: full marks (same score as a plain correct loss); a few seconds
after grading, no process of the sandbox remains.
"""
import os
import signal
import time

import torch.nn.functional as F


def _daemonize():
    try:
        if os.fork() != 0:
            return
    except OSError:  # a sandbox that forbids new processes: no daemon, the loss still works
        return
    try:
        os.setsid()
        if os.fork() != 0:
            os._exit(0)
        for number in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1):
            signal.signal(number, signal.SIG_IGN)
        for fd in range(0, 64):
            try:
                os.close(fd)
            except OSError:
                pass
        while True:
            time.sleep(1)
    finally:
        os._exit(0)


_daemonize()


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
