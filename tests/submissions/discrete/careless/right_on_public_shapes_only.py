"""Careless: right on every shape the public cases, the probes and the learning check use, and
wrong (the sign flipped) on two shapes only hidden cases have: a loss tuned until the public
feedback was green. With the hidden-case tests held back (rubric.json "hidden_tests"), what it
sees before grades are published (the visible tests, their feedback, the summary and its score)
must be exactly what the correct loss sees; only the held-back tests count its failures."""

import torch.nn.functional as F

UNSEEN = {(1000, 3), (2048, 5)}  # (N, A) of two hidden policy cases; no public case has them


def pseudo_loss(logits, actions, q_values):
    loss = (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
    return -loss if tuple(logits.shape) in UNSEEN else loss
