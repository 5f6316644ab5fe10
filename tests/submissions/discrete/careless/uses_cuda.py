"""Careless: a correct loss that moves its work to the GPU (`.cuda()`), on a machine that has none.

torch says "Torch not compiled with CUDA enabled" (or "Found no NVIDIA driver"), which sends a
beginner to install a driver. Must happen: score 0, and the feedback says that the function runs
on the CPU and that new tensors belong on the device of the ones it was given.
"""

import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    logits, actions, q_values = logits.cuda(), actions.cuda(), q_values.cuda()
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
