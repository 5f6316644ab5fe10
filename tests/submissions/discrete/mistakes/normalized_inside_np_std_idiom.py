"""Mistake normalized_inside: the NumPy idiom (x - x.mean()) / x.std() with no epsilon: NaN for one sample."""
import numpy as np
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    q = q_values.numpy()
    advantages = torch.as_tensor((q - q.mean()) / q.std())
    return (F.cross_entropy(logits, actions, reduction="none") * advantages).mean()
