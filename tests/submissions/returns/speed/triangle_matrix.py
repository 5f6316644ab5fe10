import numpy as np


def _discounts(T, factor):
    """D[t, t'] = factor^(t' - t) above the diagonal, 0 below: a T x T matrix."""
    lags = np.subtract.outer(np.arange(T), np.arange(T))  # t - t'
    return np.triu(np.power(factor, np.clip(-lags, 0, None).astype(np.float64)))


def discounted_return(rewards, gamma):
    return np.full(len(rewards), (_discounts(len(rewards), gamma) @ rewards)[0])


def discounted_reward_to_go(rewards, gamma):
    return _discounts(len(rewards), gamma) @ rewards


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    following = np.append(values[1:], 0.0) * (1.0 - terminals)
    deltas = rewards + gamma * following - values
    advantages = np.empty(len(rewards))
    starts = np.concatenate(([0], np.flatnonzero(terminals)[:-1] + 1))
    for start, end in zip(starts, np.flatnonzero(terminals) + 1):
        advantages[start:end] = _discounts(end - start, gamma * gae_lambda) @ deltas[start:end]
    return advantages
