"""Mistake mutates_inputs: overwrites logits.data with log-probabilities in place; the loss is right."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    logits.data[:] = logits.data - torch.logsumexp(logits.data, dim=-1, keepdim=True)
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
