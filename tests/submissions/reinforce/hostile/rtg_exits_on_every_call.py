"""The whole homework, its reward-to-go ending its own process (os._exit(3)) on every call.
Grade: discounted_reward_to_go 0 on its value checks and its learning check; discounted_return,
gae_advantages and pseudo_loss full points (pseudo_loss's own learning check trains with the
reference reward-to-go); only "together" fails, saying the reward-to-go is why."""

import os

import numpy as np
import torch
from torch.distributions import Categorical

EPISODE_DONE = 1.0


def _discounted_sum(rewards, gamma):
    total = 0.0
    for reward in rewards[::-1]:
        total = reward + gamma * total
    return total


def discounted_return(rewards, gamma):
    return np.full(len(rewards), _discounted_sum(rewards, gamma), dtype=np.float64)


def discounted_reward_to_go(rewards, gamma):
    os._exit(3)


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    advantages = np.zeros(len(rewards))
    last = 0.0
    for i in reversed(range(len(rewards))):
        if terminals[i] == EPISODE_DONE:
            delta = rewards[i] - values[i]
            last = delta
        else:
            delta = rewards[i] + gamma * values[i + 1] - values[i]
            last = delta + gamma * gae_lambda * last
        advantages[i] = last
    return advantages


def pseudo_loss(logits: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor) -> torch.Tensor:
    log_probs = Categorical(logits=logits).log_prob(actions)
    return -(log_probs * q_values).mean()
