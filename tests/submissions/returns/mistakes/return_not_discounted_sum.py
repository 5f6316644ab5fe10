import numpy as np


def discounted_return(rewards, gamma):
    # total reward of the trajectory, the same for every step
    return np.full(len(rewards), np.sum(rewards))


def discounted_reward_to_go(rewards, gamma):
    out = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = rewards[t] + gamma * running
        out[t] = running
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    adv = np.zeros(len(rewards))
    gae = 0.0
    for i in reversed(range(len(rewards))):
        nonterminal = 1.0 - terminals[i]
        next_value = values[i + 1] if i + 1 < len(values) else 0.0
        delta = rewards[i] + gamma * next_value * nonterminal - values[i]
        gae = delta + gamma * gae_lambda * nonterminal * gae
        adv[i] = gae
    return adv
