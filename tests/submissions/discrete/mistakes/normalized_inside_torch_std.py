"""Mistake normalized_inside: (q - mean) / (q.std() + eps) with torch's sample std (NaN for one sample)."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    adv = (q_values - q_values.mean()) / (q_values.std() + 1e-6)
    return (F.cross_entropy(logits, actions, reduction="none") * adv).mean()
