import numpy as np


def discounted_return(rewards, gamma):
    discounts = gamma ** np.arange(len(rewards))
    return np.ones(len(rewards)) * np.sum(discounts * rewards)


def discounted_reward_to_go(rewards, gamma):
    if gamma == 0:
        return np.array(rewards, dtype=float)
    discounts = gamma ** np.arange(len(rewards))
    # sum_{t'>=t} gamma^t' r_t', then divide the extra gamma^t back out
    tail = np.flip(np.cumsum(np.flip(discounts * rewards)))
    return tail / discounts


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    not_done = 1.0 - terminals
    next_values = np.append(values[1:], 0.0)
    deltas = rewards + gamma * next_values * not_done - values
    advantages = np.zeros_like(deltas)
    running = 0.0
    for i in np.flip(np.arange(len(deltas))):
        running = deltas[i] + gamma * gae_lambda * not_done[i] * running
        advantages[i] = running
    return advantages
