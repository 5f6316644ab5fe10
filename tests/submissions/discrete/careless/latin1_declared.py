# -*- coding: latin-1 -*-
"""Careless (d): correct, saved in Latin-1 by an old editor that declared it (PEP 263) on
line 1; Python reads it, and so must the grader. The assertion fails if the text that runs
is not the text Python would read. Graded: full marks."""
# Auteur : José François
import torch.nn.functional as F

AUTHOR = "José"
assert len(AUTHOR) == 4 and AUTHOR.endswith("\u00e9"), AUTHOR


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
