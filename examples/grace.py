"""Example: mistake `sum_reduction`. Summing over the batch scales the gradient with the batch size."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).sum()
