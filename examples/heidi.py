"""Example: broken. A syntax error (missing colon): the whole submission gets 0 with the line number."""
import torch


def pseudo_loss(logits, actions, q_values)
    return -(torch.log_softmax(logits, -1)[range(len(actions)), actions] * q_values).mean()
