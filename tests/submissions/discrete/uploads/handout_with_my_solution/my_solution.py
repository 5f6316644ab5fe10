"""The student's work, in the file name the self-check suggests, uploaded with the whole handout
folder: the untouched stub pseudo_loss.py (and the handout's notebook) beside it must not win."""

import torch


def pseudo_loss(logits, actions, q_values):
    log_p = torch.log_softmax(logits, dim=-1)
    return -(log_p[torch.arange(len(actions)), actions] * q_values).mean()
