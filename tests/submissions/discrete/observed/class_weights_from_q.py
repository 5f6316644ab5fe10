"""Uncatalogued: q passed as cross_entropy's class weights (shape A), which runs only when N == A."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return F.cross_entropy(logits, actions, weight=q_values)
