import numpy as np


def discounted_return(rewards, gamma):
    return np.full(len(rewards), np.dot(gamma ** np.arange(len(rewards)), rewards))


def discounted_reward_to_go(rewards, gamma):
    rtg = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        rtg[t] = running
    return rtg


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    next_values = np.append(values[1:], 0.0)
    deltas = rewards + gamma * next_values - values  # TODO: terminal states?
    advantages = np.zeros(len(rewards))
    gae = 0.0
    for i in reversed(range(len(rewards))):
        gae = deltas[i] + gamma * gae_lambda * (1 - terminals[i]) * gae
        advantages[i] = gae
    return advantages
