import numpy as np


def discounted_return(rewards, gamma):
    T = len(rewards)
    total = 0.0
    for t in range(T):
        total += gamma**t * rewards[t]
    return np.array([total] * T)


def discounted_reward_to_go(rewards, gamma):
    T = len(rewards)
    rtg = np.zeros(T)
    for t in range(T):
        for t_prime in range(t, T):
            rtg[t] += gamma ** (t_prime - t) * rewards[t_prime]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    B = len(rewards)
    advantages = np.zeros(B)
    last_gae = 0.0
    for i in reversed(range(B)):
        if terminals[i]:
            next_value = 0.0
            last_gae = 0.0
        else:
            next_value = values[i + 1]
        delta = rewards[i] + gamma * next_value - values[i]
        last_gae = delta + gamma * gae_lambda * last_gae
        advantages[i] = last_gae
    return advantages
