"""Correct: OneHotCategorical(logits=...) scoring one-hot encoded actions."""
import torch
import torch.nn.functional as F
from torch.distributions import OneHotCategorical


def pseudo_loss(logits, actions, q_values):
    dist = OneHotCategorical(logits=logits)
    one_hot = F.one_hot(actions, logits.shape[-1]).float()
    return -(dist.log_prob(one_hot) * q_values).mean()
