"""Correct, compiled with options and bound by assignment: pseudo_loss = torch.compile(...)."""

import torch
import torch.nn.functional as F


def _pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()


pseudo_loss = torch.compile(_pseudo_loss, fullgraph=True, dynamic=True)
