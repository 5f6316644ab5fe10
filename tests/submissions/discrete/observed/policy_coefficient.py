"""Uncatalogued: an actor-critic habit (SB3-style pg_coef) carried over: the pseudo-loss scaled by 0.5."""
import torch.nn.functional as F

PG_COEF = 0.5


def pseudo_loss(logits, actions, q_values):
    return PG_COEF * (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
