"""Mistake clamped_log_prob: log_softmax already finite, clamped anyway "against -inf" (zero gradient below)."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=-1).clamp(min=-20.0)
    return -(log_probs.gather(1, actions.unsqueeze(1)).squeeze(1) * q_values).mean()
