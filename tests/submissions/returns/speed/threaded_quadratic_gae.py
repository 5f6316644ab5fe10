"""Hostile: the quadratic GAE of quadratic_gae_loops.py, run in a thread of its own while the
calling thread only waits, so the calling thread's CPU time stays near zero. The grader counts the
CPU time of the child's every thread: past the budget all the same."""

import threading

import numpy as np


def discounted_return(rewards, gamma):
    total = 0.0
    for t in reversed(range(len(rewards))):
        total = rewards[t] + gamma * total
    return np.full(len(rewards), total)


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        rtg[t] = running
    return rtg


def _delta(rewards, values, terminals, gamma, j):
    next_value = 0.0 if terminals[j] == 1 else float(values[j + 1])
    return float(rewards[j]) + gamma * next_value - float(values[j])


def _gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    """A_i as the definition's sum over the rest of i's trajectory: a loop inside a loop."""
    B = len(rewards)
    advantages = np.zeros(B)
    for i in range(B):
        j = i
        while True:
            advantages[i] += np.power(gamma * gae_lambda, j - i) * _delta(rewards, values, terminals, gamma, j)
            if terminals[j] == 1:
                break
            j += 1
    return advantages


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    out = []
    worker = threading.Thread(target=lambda: out.append(_gae_advantages(rewards, values, terminals, gamma, gae_lambda)))
    worker.start()
    worker.join()
    return out[0]
