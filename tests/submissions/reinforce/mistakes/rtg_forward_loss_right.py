"""The reward-to-go accumulated forwards in time (a reward-so-far), everything else right."""

import numpy as np
import torch.nn.functional as F


def discounted_return(rewards, gamma):
    discounts = gamma ** np.arange(len(rewards))
    return np.full(len(rewards), float(np.sum(discounts * rewards)))


def discounted_reward_to_go(rewards, gamma):
    out = np.zeros(len(rewards))
    running = 0.0
    for t in range(len(rewards)):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    out = np.zeros(len(rewards))
    following = 0.0
    for i in reversed(range(len(rewards))):
        alive = 1.0 - terminals[i]
        next_value = values[i + 1] if i + 1 < len(rewards) else 0.0
        delta = rewards[i] + gamma * next_value * alive - values[i]
        following = delta + gamma * gae_lambda * alive * following
        out[i] = following
    return out


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    chosen = log_probs[range(len(actions)), actions]
    return -(chosen * q_values).mean()
