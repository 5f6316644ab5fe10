import numpy as np


def discounted_return(rewards, gamma):
    G = 0.0
    for r in rewards[::-1]:
        G = r + gamma * G
    return np.full(len(rewards), G)


def discounted_reward_to_go(rewards, gamma):
    r = np.array(rewards, dtype=int)  # CartPole's rewards are whole numbers
    rtg = np.zeros_like(r)
    running = 0
    for t in reversed(range(len(r))):
        running = r[t] + gamma * running
        rtg[t] = running
    return rtg


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
