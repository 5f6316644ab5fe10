"""Kim's submission: the actions come from the policy, so the loss weighs the policy itself."""
import numpy as np
import torch


def discounted_return(rewards, gamma):
    g = 0.0
    for t, r in enumerate(rewards):
        g += (gamma**t) * r
    return np.ones(len(rewards)) * g


def discounted_reward_to_go(rewards, gamma):
    out = np.zeros(len(rewards))
    for t in range(len(rewards)):
        for k in range(t, len(rewards)):
            out[t] += gamma ** (k - t) * rewards[k]
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    adv = np.zeros(len(rewards))
    running = 0.0
    for i in reversed(range(len(rewards))):
        nonterminal = 1.0 - terminals[i]
        bootstrap = values[i + 1] * nonterminal if i + 1 < len(rewards) else 0.0
        running = rewards[i] + gamma * bootstrap - values[i] + gamma * gae_lambda * nonterminal * running
        adv[i] = running
    return adv


def pseudo_loss(logits, actions, q_values):
    return torch.mean(torch.softmax(logits, dim=1) * q_values[:, None])
