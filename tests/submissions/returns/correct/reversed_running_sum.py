import numpy as np


def discounted_return(rewards, gamma):
    rewards = np.asarray(rewards, dtype=np.float64)
    G = 0.0
    for r in rewards[::-1]:
        G = r + gamma * G
    return G * np.ones_like(rewards)


def discounted_reward_to_go(rewards, gamma):
    rewards = np.asarray(rewards, dtype=np.float64)
    rtg = np.copy(rewards)
    for t in range(len(rtg) - 2, -1, -1):
        rtg[t] += gamma * rtg[t + 1]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    batch_size = rewards.shape[0]
    values = np.append(values, [0])
    advantages = np.zeros(batch_size + 1)
    for i in reversed(range(batch_size)):
        if terminals[i]:
            delta = rewards[i] - values[i]
            advantages[i] = delta
        else:
            delta = rewards[i] + gamma * values[i + 1] - values[i]
            advantages[i] = delta + gamma * gae_lambda * advantages[i + 1]
    return advantages[:-1]
