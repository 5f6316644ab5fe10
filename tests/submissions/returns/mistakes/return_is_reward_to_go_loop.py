import numpy as np


def discounted_return(rewards, gamma):
    returns = []
    for t in range(len(rewards)):
        G = 0
        for k, r in enumerate(rewards[t:]):
            G += gamma**k * r
        returns.append(G)
    return np.array(returns)


def discounted_reward_to_go(rewards, gamma):
    rtg = np.array(rewards, dtype=float)
    for t in range(len(rtg) - 2, -1, -1):
        rtg[t] += gamma * rtg[t + 1]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    next_values = np.append(values[1:], 0.0) * (1 - terminals)
    deltas = rewards + gamma * next_values - values
    advantages = np.zeros_like(deltas)
    last = 0.0
    for i in range(len(deltas) - 1, -1, -1):
        last = deltas[i] + gamma * gae_lambda * (1 - terminals[i]) * last
        advantages[i] = last
    return advantages
