"""Mistake not_scalar: returns the per-sample cross-entropy times q, never reduced."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return F.cross_entropy(logits, actions, reduction="none") * q_values
