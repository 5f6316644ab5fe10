"""Careless: the pseudo-loss exercise's file uploaded to the whole homework; no returns at all."""

import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    chosen = F.log_softmax(logits, dim=-1).gather(1, actions.view(-1, 1)).view(-1)
    return -(chosen * q_values).mean()
