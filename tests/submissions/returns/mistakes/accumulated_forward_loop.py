import numpy as np


def discounted_return(rewards, gamma):
    G = 0.0
    for t in range(len(rewards)):
        G += gamma**t * rewards[t]
    return G * np.ones(len(rewards))


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros(len(rewards))
    running = 0.0
    for t in range(len(rewards)):
        running = rewards[t] + gamma * running
        rtg[t] = running
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    adv = np.zeros_like(rewards, dtype=float)
    last = 0.0
    for i in reversed(range(len(rewards))):
        if terminals[i] == 1:
            last = 0.0
            v_next = 0.0
        else:
            v_next = values[i + 1]
        delta = rewards[i] + gamma * v_next - values[i]
        last = delta + gamma * gae_lambda * last
        adv[i] = last
    return adv
