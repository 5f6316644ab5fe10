"""Broken: the loss is computed but never returned, so every call gives None (no purity points either)."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    loss = (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
