import numpy as np


def discounted_return(rewards, gamma):
    return np.full(len(rewards), np.sum(gamma ** np.arange(len(rewards)) * rewards))


def discounted_reward_to_go(rewards, gamma):
    # accumulate from the end, in place: saves a copy
    for t in range(len(rewards) - 2, -1, -1):
        rewards[t] += gamma * rewards[t + 1]
    return rewards


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    adv = np.zeros(len(rewards))
    gae = 0.0
    for i in reversed(range(len(rewards))):
        if terminals[i]:
            gae = rewards[i] - values[i]
        else:
            gae = rewards[i] + gamma * values[i + 1] - values[i] + gamma * gae_lambda * gae
        adv[i] = gae
    return adv
