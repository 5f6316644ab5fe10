import numpy as np


def discounted_return(rewards, gamma):
    discounts = np.power(gamma, np.arange(len(rewards)))
    return np.full(len(rewards), discounts @ rewards)


def discounted_reward_to_go(rewards, gamma):
    rtg = np.array(rewards, dtype=np.float64)
    for t in reversed(range(len(rtg) - 1)):
        rtg[t] + gamma * rtg[t + 1]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    B = len(rewards)
    advantages = np.zeros(B + 1)
    next_values = np.append(values, 0.0)
    for i in range(B - 1, -1, -1):
        not_done = 1 - terminals[i]
        delta = rewards[i] + gamma * next_values[i + 1] * not_done - values[i]
        advantages[i] = delta + gamma * gae_lambda * not_done * advantages[i + 1]
    return advantages[:B]
