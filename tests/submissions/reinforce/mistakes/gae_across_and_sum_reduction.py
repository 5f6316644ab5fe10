"""Two parts wrong: GAE's recursion runs across trajectory ends (only the bootstrap is cut), and the
loss sums over the batch instead of averaging; the two returns right."""

import numpy as np
import torch.nn.functional as F


def discounted_return(rewards, gamma):
    return np.full(len(rewards), np.polyval(np.asarray(rewards)[::-1], gamma))


def discounted_reward_to_go(rewards, gamma):
    out = np.array(rewards, dtype=float)
    for t in range(len(out) - 2, -1, -1):
        out[t] += gamma * out[t + 1]
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    out = np.zeros(len(rewards))
    carry = 0.0
    for i in reversed(range(len(rewards))):
        next_value = 0.0 if terminals[i] else values[i + 1]
        carry = rewards[i] + gamma * next_value - values[i] + gamma * gae_lambda * carry
        out[i] = carry
    return out


def pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).sum()
