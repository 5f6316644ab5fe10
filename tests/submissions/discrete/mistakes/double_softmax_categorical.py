"""Mistake double_softmax: Categorical(logits=probs) normalises the probabilities a second time."""
import torch
from torch.distributions import Categorical


def pseudo_loss(logits, actions, q_values):
    probs = torch.softmax(logits, dim=1)
    dist = Categorical(logits=probs)
    return -(dist.log_prob(actions) * q_values).mean()
