"""Correct: the log-probability of the taken action in a @torch.jit.script helper.

TorchScript compiles from the function's source (inspect.getsource), so the
child must be able to find the submission's own source.
"""
import torch


@torch.jit.script
def taken_log_probs(logits: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    return torch.log_softmax(logits, dim=1).gather(1, actions.view(-1, 1)).view(-1)


def pseudo_loss(logits, actions, q_values):
    return -(taken_log_probs(logits, actions) * q_values).mean()
