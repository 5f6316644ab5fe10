"""Hostile: `os._exit(0)` inside pseudo_loss.

Tries: kill the process running the checks with a clean status, skipping all handlers.
Must happen: score 0, the checks say the process exited, restarts are bounded, the grader survives.
"""
import os


def pseudo_loss(logits, actions, q_values):
    os._exit(0)
