"""Mistake sum_over_actions: minus sum over actions of p(a) * q, averaged over the batch (= -mean(q))."""
import torch


def pseudo_loss(logits, actions, q_values):
    probs = torch.softmax(logits, dim=1)
    expected = (probs * q_values.unsqueeze(1)).sum(dim=1)
    return -expected.mean()
