"""Uncatalogued: the value of the correct loss, the gradient of half of it (half the loss plus a
detached copy of the other half). The ratio of the values is 1 on every probe: no sentence may
offer two equal ratios as proof that the ratio is not constant."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    loss = (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
    return 0.5 * loss + 0.5 * loss.detach()
