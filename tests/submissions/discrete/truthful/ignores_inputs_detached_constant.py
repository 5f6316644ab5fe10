"""Truthful feedback: a constant built fresh, `torch.tensor(0.5, requires_grad=True)`.

Not connected to the logits, and its value never changes. Must happen: 0
points, the interface feedback says the loss does not depend on `logits` and
has no gradient on any case.
"""

import torch


def pseudo_loss(logits, actions, q_values):
    return torch.tensor(0.5, requires_grad=True)
