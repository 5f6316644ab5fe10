"""MultivariateNormal with a diagonal scale_tril."""

import torch
from torch.distributions import MultivariateNormal


def pseudo_loss(mean, log_std, actions, q_values):
    policy = MultivariateNormal(mean, scale_tril=torch.diag(log_std.exp()))
    return -(policy.log_prob(actions) * q_values).mean()
