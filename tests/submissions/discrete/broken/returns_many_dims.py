"""Broken: the right number in a tensor of 70 dimensions of size 1.

Torch allows it; the pipe carries arrays of at most 4 dimensions and the grader
reports at most 64 of a shape. Must happen: graded normally, never "broke the
protocol"; like a (1,) result, only the interface check fails ("shape (1, 1,
…"), value and gradient pass.
"""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    taken = torch.gather(F.log_softmax(logits, dim=1), 1, actions.view(-1, 1)).view(-1)
    return (-(taken * q_values).mean()).reshape([1] * 70)
