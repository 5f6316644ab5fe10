import numpy as np


def discounted_return(rewards, gamma):
    r = rewards.astype(np.float32)
    g = np.float32(gamma)
    total = np.float32(0.0)
    for x in r[::-1]:
        total = x + g * total
    return np.full(r.shape, total, dtype=np.float32)


def discounted_reward_to_go(rewards, gamma):
    r = rewards.astype(np.float32)
    out = np.zeros_like(r)
    running = np.float32(0.0)
    for t in reversed(range(len(r))):
        running = r[t] + np.float32(gamma) * running
        out[t] = running
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    r, v, d = (a.astype(np.float32) for a in (rewards, values, terminals))
    g, lam = np.float32(gamma), np.float32(gae_lambda)
    adv = np.zeros_like(r)
    last = np.float32(0.0)
    for i in reversed(range(len(r))):
        next_v = v[i + 1] if i + 1 < len(r) else np.float32(0.0)
        delta = r[i] + g * next_v * (1 - d[i]) - v[i]
        last = delta + g * lam * (1 - d[i]) * last
        adv[i] = last
    return adv
