"""The returns right, the loss's sign flipped: gradient ascent written as descent."""

import numpy as np
import torch


def discounted_return(rewards, gamma):
    total = sum(gamma**t * r for t, r in enumerate(rewards))
    return np.array([total] * len(rewards), dtype=float)


def discounted_reward_to_go(rewards, gamma):
    T = len(rewards)
    return np.array([sum(gamma ** (k - t) * rewards[k] for k in range(t, T)) for t in range(T)], dtype=float)


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    advantages = np.zeros_like(rewards, dtype=float)
    gae = 0.0
    for i in range(len(rewards) - 1, -1, -1):
        mask = 1.0 - terminals[i]
        v_next = values[i + 1] if i < len(rewards) - 1 else 0.0
        gae = rewards[i] + gamma * v_next * mask - values[i] + gamma * gae_lambda * mask * gae
        advantages[i] = gae
    return advantages


def pseudo_loss(logits, actions, q_values):
    log_pi = torch.log_softmax(logits, dim=-1).gather(1, actions[:, None]).squeeze(1)
    return (log_pi * q_values).mean()
