import numpy as np


def discounted_return(rewards, gamma):
    discounts = gamma ** np.arange(len(rewards))
    return np.full(len(rewards), np.dot(discounts, rewards))


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        rtg[t] = running
    return rtg


# TODO gae_advantages: not finished yet
