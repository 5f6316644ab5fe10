"""Mistake greedy_labels: cross_entropy with labels = argmax of the probabilities."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    labels = torch.argmax(F.softmax(logits, dim=1), dim=1)
    return (F.cross_entropy(logits, labels, reduction="none") * q_values).mean()
