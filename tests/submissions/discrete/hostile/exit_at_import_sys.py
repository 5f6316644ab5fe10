"""Hostile: `sys.exit(0)` while being imported.

Tries: end the grading "successfully" before any check runs.
Must happen: score 0, the import error says it called sys.exit, the grader survives.
"""
import sys

sys.exit(0)


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
