"""Broken: a missing colon after the signature, as typed in a hurry."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values)
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
