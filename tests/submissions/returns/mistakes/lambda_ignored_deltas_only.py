import numpy as np


def discounted_return(rewards, gamma):
    return [sum(gamma**i * r for i, r in enumerate(rewards))] * len(rewards)


def discounted_reward_to_go(rewards, gamma):
    out = []
    acc = 0.0
    for r in rewards[::-1]:
        acc = r + gamma * acc
        out.append(acc)
    return out[::-1]


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    next_values = np.append(values[1:], 0.0)
    # one-step TD error as the advantage estimate
    advantages = rewards + gamma * next_values * (1 - terminals) - values
    return advantages
