"""Broken: the loss cast to an integer tensor (`.long()`), which also cuts the gradient.

Must happen: graded normally; the interface check says an `int64` tensor is
not floating point; the value check shows the truncated number; no gradient.
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    return (-(taken * q_values).mean()).long()
