"""Mistake broadcast: q reshaped to a column, times (N,) log-probs -> (N, N) before the mean."""
import torch
from torch.distributions import Categorical


def pseudo_loss(logits, actions, q_values):
    log_probs = Categorical(logits=logits).log_prob(actions)   # (N,)
    return -torch.mean(log_probs * q_values.view(-1, 1))       # (N,) * (N, 1) -> (N, N)
