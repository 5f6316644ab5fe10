"""Mistake logits_as_logprobs: nll_loss fed raw logits (it expects log-probabilities)."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return (F.nll_loss(logits, actions, reduction="none") * q_values).mean()
