"""Two mistakes: unweighted and sign_flipped (minus the plain cross-entropy)."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return -F.cross_entropy(logits, actions)
