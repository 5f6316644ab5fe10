"""Two mistakes: no_log and sign_flipped (maximises the mean of p(a) * q as a loss)."""
from torch.distributions import Categorical


def pseudo_loss(logits, actions, q_values):
    p = Categorical(logits=logits).probs
    return (p.gather(1, actions.unsqueeze(1)).squeeze(1) * q_values).mean()
