"""Correct: cross-entropy with the sampled actions as labels, reduction='none', weighted by q."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor) -> torch.Tensor:
    neg_log_probs = F.cross_entropy(logits, actions, reduction="none")
    return (neg_log_probs * q_values).mean()
