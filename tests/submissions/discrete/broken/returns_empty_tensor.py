"""Broken: a row mask that is never true, so the loss is an empty (0, A) tensor.

Must happen: graded normally (no "Autograder error"), score 0; the interface
check says the tensor has shape (0, A) and must be a 0-dim tensor; purity says
there was no number to compare (an empty result earns nothing); no mistake of
the catalog is named ("one loss per sample" would be false).
"""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -log_probs[actions < 0] * 0.5  # meant actions >= 0: selects no row
