"""Example: mistake `sign_flipped`. +log pi(a|s) * q: minimising it makes good actions *less* likely."""
import torch


def pseudo_loss(logits, actions, q_values):
    log_probs = torch.log_softmax(logits, dim=1)
    return (log_probs[torch.arange(len(actions)), actions] * q_values).mean()
