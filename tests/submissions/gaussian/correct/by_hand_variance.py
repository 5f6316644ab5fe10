"""The log-density written out with the variance."""

import math

import torch


def pseudo_loss(mean, log_std, actions, q_values):
    variance = torch.exp(2 * log_std)
    log_pi = (-((actions - mean) ** 2) / (2 * variance) - log_std - 0.5 * math.log(2 * math.pi)).sum(dim=1)
    return -torch.mean(log_pi * q_values)
