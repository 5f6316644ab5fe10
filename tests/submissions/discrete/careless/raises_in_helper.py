"""Careless: the loss calls a helper that raises. The feedback must quote the traceback with this
file's own name (raises_in_helper.py, never submission.py) and the line of each frame."""

import torch


def check_shapes(logits, actions):
    if logits.shape[0] != actions.shape[0] + 1:  # an off-by-one the student left in
        raise ValueError(f"expected {actions.shape[0] + 1} rows, got {logits.shape[0]}")


def pseudo_loss(logits, actions, q_values):
    check_shapes(logits, actions)
    return -(torch.log_softmax(logits, dim=-1)[torch.arange(len(actions)), actions] * q_values).mean()
