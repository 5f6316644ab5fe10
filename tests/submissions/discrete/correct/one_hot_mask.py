"""Correct: a one-hot mask of the actions selects the log-probability of the action taken."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    mask = F.one_hot(actions, num_classes=logits.shape[-1]).to(logits.dtype)
    log_probs = torch.log_softmax(logits, dim=-1)
    chosen = (mask * log_probs).sum(dim=-1)
    return -(chosen * q_values).mean()
