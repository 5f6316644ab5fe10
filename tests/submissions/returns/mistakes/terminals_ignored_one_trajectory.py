import numpy as np


def discounted_return(rewards, gamma):
    return np.ones_like(rewards) * sum(gamma**t * r for t, r in enumerate(rewards))


def discounted_reward_to_go(rewards, gamma):
    return np.array([sum(gamma ** (k - t) * rewards[k] for k in range(t, len(rewards))) for t in range(len(rewards))])


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    values = np.append(values, 0.0)
    deltas = rewards + gamma * values[1:] - values[:-1]
    advantages = np.zeros_like(deltas)
    advantages[-1] = deltas[-1]
    for i in range(len(deltas) - 2, -1, -1):
        advantages[i] = deltas[i] + gamma * gae_lambda * advantages[i + 1]
    return advantages
