"""Example: correct. log_softmax, then gather the log-probability of each sampled action."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor) -> torch.Tensor:
    log_probs = F.log_softmax(logits, dim=-1)                        # (N, A), stable
    taken = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)     # (N,): log pi(a_i | s_i)
    return -(taken * q_values).mean()
