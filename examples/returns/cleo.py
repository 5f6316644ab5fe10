import numpy as np


def discounted_return(rewards, gamma):
    total = sum(gamma**t * r for t, r in enumerate(rewards))
    return np.array([total] * len(rewards), dtype=float)


def discounted_reward_to_go(rewards, gamma):
    # "sum_{t'=t}^{T} gamma^t' r_{t'}", as the docstring says
    T = len(rewards)
    rtg = np.zeros(T)
    for t in range(T):
        for t_prime in range(t, T):
            rtg[t] += gamma**t_prime * rewards[t_prime]
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    values_next = np.concatenate([values[1:], [0.0]])
    mask = 1.0 - terminals
    deltas = rewards + gamma * values_next * mask - values
    adv = np.empty_like(deltas)
    acc = 0.0
    for i in range(len(deltas))[::-1]:
        acc = deltas[i] + gamma * gae_lambda * mask[i] * acc
        adv[i] = acc
    return adv
