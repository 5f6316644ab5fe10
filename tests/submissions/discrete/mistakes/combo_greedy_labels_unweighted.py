"""Argmax labels and q ignored: the cross-entropy of the policy's most likely actions."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return F.cross_entropy(logits, logits.argmax(dim=-1))
