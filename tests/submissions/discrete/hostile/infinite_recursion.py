"""Hostile (or careless): pseudo_loss calls itself forever.

Tries: exhaust the stack.
Must happen: RecursionError reported for each call, score 0, the grader survives.
"""


def pseudo_loss(logits, actions, q_values):
    return pseudo_loss(logits, actions, q_values)
