"""Broken: saved in Latin-1 by an old editor; the accent is byte 0xe9, not UTF-8."""
# Auteur : José François
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
