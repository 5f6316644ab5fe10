"""Hostile: a classic fork bomb inside pseudo_loss.

Tries: every process forks forever (ignoring failures), to exhaust the
process table and the CPU, and leave thousands of processes behind.
Must happen: RLIMIT_NPROC stops the growth, the call times out and the whole
tree is killed; score 0 with a timeout message; no process of the sandbox is
left a few seconds after grading; the grader survives.
"""
import os


def pseudo_loss(logits, actions, q_values):
    while True:
        try:
            os.fork()
        except OSError:
            pass
