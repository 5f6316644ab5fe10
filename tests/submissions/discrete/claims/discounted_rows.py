"""Uncatalogued: each sample weighted by gamma**t besides q. Only row 0 is right on every probe;
on one probe the wrong rows happen to be those where the action is 0, a coincidence, no cause."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    discount = 0.9 ** torch.arange(len(q_values), dtype=q_values.dtype)
    return (F.cross_entropy(logits, actions, reduction="none") * q_values * discount).mean()
