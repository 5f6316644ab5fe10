"""Example: mistake `no_log`. nll_loss expects log-probabilities; fed probabilities it computes -p(a)."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    probs = torch.softmax(logits, dim=-1)
    return (F.nll_loss(probs, actions, reduction="none") * q_values).mean()
