"""Helper module of the dana/ example: imported by pseudo_loss.py from the same folder."""
import torch


def action_probabilities(logits: torch.Tensor) -> torch.Tensor:
    return torch.softmax(logits, dim=-1)
