"""Hostile: `sys.exit(0)` inside pseudo_loss.

Tries: make the caller (a test runner) stop "successfully" when the function is called.
Must happen: score 0, each check says the function called sys.exit, the grader survives.
"""
import sys


def pseudo_loss(logits, actions, q_values):
    sys.exit(0)
