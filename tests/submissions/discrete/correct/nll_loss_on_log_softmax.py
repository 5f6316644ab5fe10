"""Correct: nll_loss applied to log_softmax (not to the raw logits), weighted per sample."""
import torch
from torch import nn


def pseudo_loss(logits, actions, q_values):
    nll = nn.NLLLoss(reduction="none")
    log_probs = nn.LogSoftmax(dim=-1)(logits)
    return torch.mean(nll(log_probs, actions) * q_values)
