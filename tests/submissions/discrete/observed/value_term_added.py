"""Uncatalogued: a "value loss" of q against its own mean added in: same gradient, wrong value."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    policy_loss = (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
    value_loss = F.mse_loss(q_values, q_values.mean().expand_as(q_values))
    return policy_loss + 0.5 * value_loss
