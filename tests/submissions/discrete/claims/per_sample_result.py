"""One loss per sample, never reduced: on a one-sample case the result is a single number of shape
(1,), on the others N numbers. The (N,) result has a graph; what it lacks is a single number, and
`.squeeze()` fixes only the one-sample case."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return F.cross_entropy(logits, actions, reduction="none") * q_values
