"""The right loss times a fresh random factor near one on every call: the same inputs give two values,
so the finite difference measures noise; the feedback must say so, not blame autograd."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    noise = 1 + 0.5 * torch.rand(())
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean() * noise
