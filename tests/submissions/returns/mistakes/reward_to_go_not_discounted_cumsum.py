import numpy as np
import scipy.signal


def discounted_return(rewards, gamma):
    return np.full(len(rewards), np.sum(gamma ** np.arange(len(rewards)) * rewards))


def discounted_reward_to_go(rewards, gamma):
    return np.cumsum(rewards[::-1])[::-1].copy()


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    out = []
    start = 0
    for end in np.flatnonzero(terminals) + 1:
        r, v = rewards[start:end], values[start:end]
        deltas = r + gamma * np.append(v[1:], 0.0) - v
        out.append(scipy.signal.lfilter([1], [1, -gamma * gae_lambda], deltas[::-1])[::-1])
        start = end
    return np.concatenate(out)
