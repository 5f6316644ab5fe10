"""Correct: keeps everything as (N, 1) columns; (N, 1) * (N, 1) does not broadcast to (N, N)."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=-1).gather(-1, actions.reshape(-1, 1))  # (N, 1)
    weights = q_values.reshape(-1, 1)                                              # (N, 1)
    return -(log_probs * weights).mean()
