"""Mistake not_differentiable: .item() then torch.tensor(..., requires_grad=True) to silence backward()."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    value = (F.cross_entropy(logits, actions, reduction="none") * q_values).mean().item()
    return torch.tensor(value, requires_grad=True)
