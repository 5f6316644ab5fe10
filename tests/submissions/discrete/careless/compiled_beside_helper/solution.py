"""Careless (b): correct, but pseudo_loss is bound by an assignment, not a `def`: the grader used
to look only for `def pseudo_loss`, so it graded helpers.py, the first file in path order (0).
Graded: this file, full marks."""

import torch
import torch.nn.functional as F


def _pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()


pseudo_loss = torch.compile(_pseudo_loss)
