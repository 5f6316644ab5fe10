"""Broken: returns whether the loss is positive, a bool tensor.

Must happen: graded normally; the interface check says a `bool` tensor is not
floating point; the value and gradient checks fail.
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    return -(taken * q_values).mean() > 0
