"""Hostile: every call hoards Python bytes objects, 32 MB at a time, without bound.

Tries: exhaust memory with plain Python objects (MemoryError rather than a torch error).
Must happen: "ran out of memory" in the checks, score 0, the grader survives.
"""
_hoard = []


def pseudo_loss(logits, actions, q_values):
    while True:
        _hoard.append(b"x" * (32 * 1024 * 1024))
