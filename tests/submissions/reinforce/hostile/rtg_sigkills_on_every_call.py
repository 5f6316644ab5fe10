"""The whole homework, its reward-to-go sending its own process SIGKILL on every call. In the sandbox
the child is its pid namespace's init, which a signal from inside the namespace cannot kill, so the
call returns None. Grade: that of a reward-to-go returning None (every check of its part 0);
discounted_return, gae_advantages and pseudo_loss full points
but "together", which fails saying the reward-to-go gave no usable answer."""

import os
import signal

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
    os.kill(os.getpid(), signal.SIGKILL)


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
