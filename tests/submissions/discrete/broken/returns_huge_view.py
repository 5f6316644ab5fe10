"""Broken: the loss expanded to a view of 2**40 elements (no memory behind it).

Must happen: graded normally and promptly, score 0; the interface check names
the shape (1099511627776,); no value is copied (it is far beyond what is sent).
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    return (-(taken * q_values).mean()).expand(2**40)
