"""Mistake mutates_inputs: actions.unsqueeze_() reshapes the caller's tensor in place; the loss is right."""
import torch


def pseudo_loss(logits, actions, q_values):
    actions.unsqueeze_(1)
    log_probs = torch.log_softmax(logits, dim=1).gather(1, actions).squeeze(1)
    return -(log_probs * q_values).mean()
