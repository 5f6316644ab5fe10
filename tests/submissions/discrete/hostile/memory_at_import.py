"""Hostile: hoard memory 32 MB at a time while being imported.

Tries: exhaust memory before any check runs.
Must happen: score 0, the import error is a MemoryError (the message says memory), the grader survives.
"""
_hoard = []
while True:
    _hoard.append(bytearray(32 * 1024 * 1024))


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
