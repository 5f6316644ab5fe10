"""The seed's mental model made literal: cross-entropy with the policy's own probabilities as the
labels, weighted by q. Detached, its value is the q-weighted entropy and its gradient is zero."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    probs = F.softmax(logits, dim=-1).detach()
    return (F.cross_entropy(logits, probs, reduction="none") * q_values).mean()
