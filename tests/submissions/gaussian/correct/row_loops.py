"""A plain Python loop over the samples, each row's log-density written out."""

import math

import torch


def pseudo_loss(mean, log_std, actions, q_values):
    total = torch.zeros(())
    for i in range(mean.shape[0]):
        z = (actions[i] - mean[i]) / torch.exp(log_std)
        log_pi = torch.sum(-0.5 * z * z - log_std) - 0.5 * math.log(2 * math.pi) * len(z)
        total = total + log_pi * q_values[i]
    return -total / mean.shape[0]
