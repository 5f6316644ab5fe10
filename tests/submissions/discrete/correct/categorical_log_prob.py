"""Correct: torch.distributions.Categorical built from logits, log_prob of the sampled actions."""
import torch
from torch.distributions import Categorical


def pseudo_loss(logits, actions, q_values):
    dist = Categorical(logits=logits)
    return dist.log_prob(actions).mul(q_values).mean().neg()
