"""Correct, wrapped in @torch.compile: the sandbox runs it eagerly (TORCH_COMPILE_DISABLE=1), so
it gets full marks although inductor could neither write its cache nor start workers there."""

import torch
import torch.nn.functional as F


@torch.compile
def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=-1)
    taken = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    return -(taken * q_values).mean()
