"""q standardised with torch's unbiased std, then summed: the counterfactual without the sum must
be this code's own loss over N, not the one of a population std."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    q = (q_values - q_values.mean()) / (q_values.std() + 1e-8)
    return (F.cross_entropy(logits, actions, reduction="none") * q).sum()
