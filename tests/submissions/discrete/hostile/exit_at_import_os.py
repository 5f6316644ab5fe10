"""Hostile: `os._exit(0)` while being imported (no exception, no cleanup).

Tries: vanish with status 0 before any check runs.
Must happen: score 0, the message says the process exited, the grader survives.
"""
import os

os._exit(0)


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
