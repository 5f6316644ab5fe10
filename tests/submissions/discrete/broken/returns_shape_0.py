"""Broken: per-sample terms filtered by a condition no sample meets: a tensor of shape (0,).

Must happen: graded normally, score 0; the interface check says "shape (0,)";
no catalog mistake is named.
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    terms = -(taken * q_values)
    return terms[q_values.abs() > 1e6]  # meant to drop outliers; keeps nothing
