"""Uncatalogued: a mean baseline subtracted inside the loss (no std): zero for one sample, blind to a shift of q."""
import torch
from torch.distributions import Categorical


def pseudo_loss(logits, actions, q_values):
    advantages = q_values - q_values.mean()
    return -(Categorical(logits=logits).log_prob(actions) * advantages).mean()
