"""Broken: debugging code left at the bottom of the module ends it with sys.exit(1) when imported."""
import sys

import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()


# quick test, remove before submitting
loss = pseudo_loss(torch.zeros(2, 3, requires_grad=True), torch.tensor([0, 2]), torch.tensor([1.0, -1.0]))
print("loss:", loss.item())
sys.exit(1)
