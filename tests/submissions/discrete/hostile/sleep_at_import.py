"""Hostile: sleep forever while being imported.

Tries: hang the grader before the first check, without using any CPU
(so a CPU-time limit alone would never stop it).
Must happen: stopped at the import timeout, score 0, "no answer within", the grader survives.
"""
import time

time.sleep(10 ** 6)


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
