import numpy as np
import scipy.signal


def discount_cumsum(x, discount):
    """[x0 + d x1 + d^2 x2, x1 + d x2, x2], the rllab / Spinning Up trick."""
    return scipy.signal.lfilter([1], [1, float(-discount)], x[::-1], axis=0)[::-1]


def discounted_return(rewards, gamma):
    return np.full_like(rewards, discount_cumsum(rewards, gamma)[0], dtype=np.float64)


def discounted_reward_to_go(rewards, gamma):
    return discount_cumsum(rewards, gamma)


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    ends = np.where(terminals == 1)[0]
    adv = []
    start = 0
    for end in ends:
        rews = np.append(rewards[start : end + 1], 0)
        vals = np.append(values[start : end + 1], 0)
        deltas = rews[:-1] + gamma * vals[1:] - vals[:-1]
        adv.append(discount_cumsum(deltas, gamma * gae_lambda))
        start = end + 1
    return np.concatenate(adv)
