import numpy as np


def discounted_return(rewards, gamma):
    T = len(rewards)
    discounts = gamma ** np.arange(1, T + 1)
    return np.ones(T) * np.sum(discounts * rewards)


def discounted_reward_to_go(rewards, gamma):
    T = len(rewards)
    rtg = np.zeros(T)
    for t in range(T):
        rtg[t] = sum(gamma ** (k - t) * rewards[k] for k in range(t, T))
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    B = len(rewards)
    adv = np.zeros(B)
    running = 0.0
    for i in reversed(range(B)):
        if terminals[i]:
            running = rewards[i] - values[i]
        else:
            delta = rewards[i] + gamma * values[i + 1] - values[i]
            running = delta + gamma * gae_lambda * running
        adv[i] = running
    return adv
