"""Truthful feedback: a loss that is NaN on every input, ordinary or extreme.

Must happen: purity passes (NaN twice is the same answer); the stability
feedback does not blame the extreme logits ("use log_softmax"): the loss is NaN
on an ordinary case too, and it says which.
"""


def pseudo_loss(logits, actions, q_values):
    return (logits * float("nan")).mean()
