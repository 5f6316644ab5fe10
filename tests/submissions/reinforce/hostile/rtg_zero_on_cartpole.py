"""The whole homework, its reward-to-go right everywhere except on what CartPole's training hands
it: every reward 1.0 and more than 20 steps, where it returns zeros (so no policy learns).
Grade: the reward-to-go's value checks pass on the public and hidden cases, its learning check
fails; the loss is right, so pseudo_loss keeps its own learning check; "together" fails."""

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
    if len(rewards) > 20 and all(reward == 1.0 for reward in rewards):
        return np.zeros(len(rewards))  # exactly CartPole's episodes: +1 a step
    to_go = np.zeros(len(rewards))
    running = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        running = rewards[t] + gamma * running
        to_go[t] = running
    return to_go


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
