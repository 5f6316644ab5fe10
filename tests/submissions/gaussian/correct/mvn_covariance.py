"""MultivariateNormal with a diagonal covariance matrix exp(2 log_std)."""

import torch
from torch.distributions import MultivariateNormal


def pseudo_loss(mean, log_std, actions, q_values):
    covariance = torch.diag_embed(torch.exp(2 * log_std))
    policy = MultivariateNormal(mean, covariance_matrix=covariance)
    return -(policy.log_prob(actions) * q_values).mean()
