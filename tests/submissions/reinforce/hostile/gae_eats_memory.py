"""The whole homework, its gae_advantages allocating 50 MB blocks until it dies, on every call.
Grade: gae_advantages 0 on the checks it fails; every other part full points."""

import numpy as np
import torch
from torch.distributions import Categorical


def _discounted_sum(rewards, gamma):
    total = 0.0
    for reward in rewards[::-1]:
        total = reward + gamma * total
    return total


def discounted_return(rewards, gamma):
    return np.full(len(rewards), _discounted_sum(rewards, gamma), dtype=np.float64)


def discounted_reward_to_go(rewards, gamma):
    to_go = np.zeros(len(rewards))
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        to_go[t] = running
    return to_go


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    hoard = []
    while True:  # 50 MB more each turn, kept, until the sandbox's memory limit stops it
        hoard.append(bytearray(50 * 1024 * 1024))


def pseudo_loss(logits: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor) -> torch.Tensor:
    log_probs = Categorical(logits=logits).log_prob(actions)
    return -(log_probs * q_values).mean()
