import numpy as np


def _discount_matrix(T, gamma):
    """M[t, t'] = gamma^(t' - t) for t' >= t, else 0."""
    idx = np.arange(T)
    lag = idx[None, :] - idx[:, None]
    return np.where(lag >= 0, np.power(gamma, np.maximum(lag, 0)), 0.0)


def discounted_return(rewards, gamma):
    M = _discount_matrix(len(rewards), gamma)
    return np.repeat(M[0] @ rewards, len(rewards))


def discounted_reward_to_go(rewards, gamma):
    return _discount_matrix(len(rewards), gamma) @ rewards


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    out = np.empty(len(rewards))
    start = 0
    for end in np.flatnonzero(terminals) + 1:
        r, v = rewards[start:end], values[start:end]
        next_v = np.append(v[1:], 0.0)
        deltas = r + gamma * next_v - v
        out[start:end] = _discount_matrix(end - start, gamma * gae_lambda) @ deltas
        start = end
    return out
