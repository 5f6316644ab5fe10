"""Uncatalogued: gather along dim 0 (the batch) instead of the actions: runs only when N <= A."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=-1).gather(0, actions.unsqueeze(0)).squeeze(0)
    return -(log_probs * q_values).mean()
