"""Normal(mean, variance): the second argument is the std, not the variance."""

import torch
from torch.distributions import Normal


def pseudo_loss(mean, log_std, actions, q_values):
    variance = torch.exp(log_std) ** 2
    return -(Normal(mean, variance).log_prob(actions).sum(-1) * q_values).mean()
