"""Mistake not_differentiable: the right value, computed (stably) in NumPy, wrapped in a new tensor."""
import numpy as np
import torch


def pseudo_loss(logits, actions, q_values):
    x = logits.detach().cpu().numpy().astype(np.float64)
    a = actions.cpu().numpy()
    q = q_values.detach().cpu().numpy().astype(np.float64)
    m = x.max(axis=1, keepdims=True)
    log_probs = x - m - np.log(np.exp(x - m).sum(axis=1, keepdims=True))
    chosen = log_probs[np.arange(len(a)), a]
    return torch.tensor(-(chosen * q).mean(), dtype=torch.float32)
