"""It is just regression: q-weighted squared error of the mean against the actions."""

import torch.nn.functional as F


def pseudo_loss(mean, log_std, actions, q_values):
    return (F.mse_loss(mean, actions, reduction="none").sum(-1) * q_values).mean()
