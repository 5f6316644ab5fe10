"""Careless (d), in a folder: correct, importing accents.py, a helper saved in Latin-1 with a
coding line. The sandbox writes helper modules as UTF-8 files, so the grader makes their
coding line say utf-8 (else Python would read é as two characters). Graded: full marks."""

import torch.nn.functional as F
from accents import AUTHOR

assert AUTHOR == "Jos\u00e9", AUTHOR


def pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
