import numpy as np


def discounted_return(rewards, gamma):
    G = 0.0
    for r in reversed(rewards):
        G = r + gamma * G
    return np.full(len(rewards), G)


def discounted_reward_to_go(rewards, gamma):
    returns = []
    G = 0
    for t, r in enumerate(rewards):
        G += (gamma**t) * r
    for _ in rewards:
        returns.append(G)
    return np.array(returns)


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
