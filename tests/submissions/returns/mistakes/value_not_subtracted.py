import numpy as np


def discounted_return(rewards, gamma):
    ret = 0.0
    for t, r in enumerate(rewards):
        ret += r * gamma**t
    return np.full(rewards.shape, ret)


def discounted_reward_to_go(rewards, gamma):
    rtg = np.copy(rewards).astype(float)
    for t in range(len(rtg) - 2, -1, -1):
        rtg[t] = rtg[t] + gamma * rtg[t + 1]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    advantages = np.zeros(len(rewards))
    gae = 0.0
    for i in reversed(range(len(rewards))):
        mask = 1 - terminals[i]
        v_next = values[i + 1] if i < len(rewards) - 1 else 0.0
        delta = rewards[i] + gamma * v_next * mask
        gae = delta + gamma * gae_lambda * mask * gae
        advantages[i] = gae
    return advantages
