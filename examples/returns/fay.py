import numpy as np


def discounted_return(rewards, gamma):
    G = 0.0
    for r in rewards[::-1]:
        G = r + gamma * G
    return np.repeat(G, len(rewards))


def discounted_reward_to_go(rewards, gamma):
    T = len(rewards)
    lag = np.arange(T)[None, :] - np.arange(T)[:, None]
    return np.where(lag >= 0, gamma ** np.abs(lag), 0.0) @ rewards


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    B = len(rewards)
    advantages = np.zeros(B)
    last_gae_lam = 0
    for i in reversed(range(B)):
        if i == B - 1 or terminals[i]:
            next_value = 0
        else:
            next_value = values[i + 1]
        delta = rewards[i] + gamma * next_value - values[i]
        last_gae_lam = delta + gamma * gae_lambda * last_gae_lam
        advantages[i] = last_gae_lam
    return advantages
