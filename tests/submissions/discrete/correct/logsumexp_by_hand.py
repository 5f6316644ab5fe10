"""Correct: log pi(a|s) = logit[a] - logsumexp(logits), written out by hand."""
import torch


def pseudo_loss(logits, actions, q_values):
    chosen_logit = logits.gather(-1, actions[:, None])[:, 0]
    log_norm = torch.logsumexp(logits, dim=-1)
    return ((log_norm - chosen_logit) * q_values).mean()
