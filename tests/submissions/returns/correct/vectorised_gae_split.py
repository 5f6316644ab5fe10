import numpy as np


def discounted_return(rewards, gamma):
    T = rewards.shape[0]
    return np.broadcast_to(np.dot(np.power(gamma, np.arange(T)), rewards), (T,)).copy()


def discounted_reward_to_go(rewards, gamma):
    T = rewards.shape[0]
    powers = np.power(gamma, np.arange(T))
    return np.array([np.dot(powers[: T - t], rewards[t:]) for t in range(T)])


def _discounted_suffix_sums(x, factor):
    n = len(x)
    k = np.arange(n)
    weights = np.triu(np.power(factor, np.clip(k[None, :] - k[:, None], 0, None)))
    return weights @ x


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    cut = np.flatnonzero(terminals[:-1]) + 1
    pieces = []
    for r, v in zip(np.split(rewards, cut), np.split(values, cut)):
        v_next = np.concatenate([v[1:], [0.0]])
        delta = r + gamma * v_next - v
        pieces.append(_discounted_suffix_sums(delta, gamma * gae_lambda))
    return np.concatenate(pieces)
