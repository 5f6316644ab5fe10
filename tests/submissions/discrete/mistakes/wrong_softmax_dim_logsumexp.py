"""Mistake wrong_softmax_dim: log-sum-exp taken over dim 0 (the batch) instead of the actions."""
import torch


def pseudo_loss(logits, actions, q_values):
    log_probs = logits - torch.logsumexp(logits, dim=0, keepdim=True)
    chosen = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    return -(chosen * q_values).mean()
