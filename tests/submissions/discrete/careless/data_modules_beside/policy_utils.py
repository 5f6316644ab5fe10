"""The helper module hw2.py imports."""

import torch.nn.functional as F


def log_prob_of(logits, actions):
    return F.log_softmax(logits, dim=1).gather(1, actions.view(-1, 1)).view(-1)
