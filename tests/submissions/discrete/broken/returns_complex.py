"""Broken: the right loss cast to a complex tensor.

Must happen: graded normally, score 0; the interface check says a `complex64`
tensor is not floating point; purity does not claim two different answers
(there is no real number to compare, not a changed one).
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    return (-(taken * q_values).mean()).to(torch.complex64)
