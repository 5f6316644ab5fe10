"""Broken: the function is called `pseudoloss`, not `pseudo_loss`."""
import torch.nn.functional as F


def pseudoloss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
