"""Uncatalogued: an A2C-style entropy bonus added to the pseudo-loss (stable-baselines3 ent_coef)."""
from torch.distributions import Categorical

ENT_COEF = 0.01


def pseudo_loss(logits, actions, q_values):
    dist = Categorical(logits=logits)
    policy_loss = -(dist.log_prob(actions) * q_values).mean()
    return policy_loss - ENT_COEF * dist.entropy().mean()
