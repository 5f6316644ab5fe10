"""Broken: a loop whose counter is never incremented, so the call never returns."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    total = 0.0
    i = 0
    while i < len(actions):
        weight = q_values[i]
        # forgot: total = total + log_probs[i, actions[i]] * weight; i += 1
    return -total / len(actions)
