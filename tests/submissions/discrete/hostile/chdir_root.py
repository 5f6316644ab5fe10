"""Hostile (or careless): a correct loss whose module changes directory to / at import.

Tries: make the grader's child code or cleanup use the wrong directory.
Must happen: full marks, the same as the plain loss.
"""
import os

import torch.nn.functional as F

os.chdir("/")


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
