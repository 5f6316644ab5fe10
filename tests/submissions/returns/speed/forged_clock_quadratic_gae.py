"""Hostile: the quadratic GAE of quadratic_gae_loops.py, with the clock the child reads its own CPU
time from stopped at zero. The grader reads the time from the kernel, not from the child: past the
budget all the same."""

import time

time.thread_time = lambda: 0.0  # what the child's own measure of a call would read
time.perf_counter = lambda: 0.0

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


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
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
