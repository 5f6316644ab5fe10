import numpy as np


def discounted_return(rewards, gamma):
    return np.ones(len(rewards)) * rewards.sum()


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros_like(rewards, dtype=float)
    future = 0.0
    for t in range(len(rewards) - 1, -1, -1):
        future = rewards[t] + gamma * future
        rtg[t] = future
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    B = len(rewards)
    adv = np.zeros(B)
    gae = 0.0
    for i in reversed(range(B)):
        v_next = values[i + 1] if i < B - 1 else 0.0
        delta = rewards[i] + gamma * v_next - values[i]
        gae = delta + gamma * gae_lambda * (1 - terminals[i]) * gae
        adv[i] = gae
    return adv
