"""Correct: log_softmax over actions, gather the taken action, weight by q, mean."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    taken = torch.gather(log_probs, 1, actions.view(-1, 1)).view(-1)
    return -(taken * q_values).mean()
