"""The reward-to-go is computed but never returned: the call gives None, which earns nothing (not
even purity or speed) and is said as a missing `return`."""

import numpy as np


def discounted_return(rewards, gamma):
    G = 0.0
    for t, r in enumerate(rewards):
        G += gamma**t * r
    return np.full(len(rewards), G)


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        rtg[t] = running


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    next_values = np.append(values[1:], 0.0)
    not_done = 1.0 - terminals
    deltas = rewards + gamma * next_values * not_done - values
    adv = np.zeros(len(deltas))
    last = 0.0
    for i in reversed(range(len(deltas))):
        last = deltas[i] + gamma * gae_lambda * not_done[i] * last
        adv[i] = last
    return adv
