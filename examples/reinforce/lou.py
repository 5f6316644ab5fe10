import numpy as np
import torch


def discounted_return(rewards, gamma):
    return np.full(len(rewards), sum(r * gamma**i for i, r in enumerate(rewards)), dtype=float)


def discounted_reward_to_go(rewards, gamma):
    # reward-to-go: rewards from t onward, discounted
    T = len(rewards)
    return np.array([sum(gamma**k * rewards[k] for k in range(t, T)) for t in range(T)], dtype=float)


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    adv = np.zeros(len(rewards))
    a = 0.0
    for i in range(len(rewards) - 1, -1, -1):
        v_next = 0.0 if terminals[i] or i + 1 == len(rewards) else values[i + 1]
        delta = rewards[i] + gamma * v_next - values[i]
        a = delta + gamma * gae_lambda * (1.0 - terminals[i]) * a
        adv[i] = a
    return adv


def pseudo_loss(logits, actions, q_values):
    log_probs = torch.distributions.Categorical(logits=logits).log_prob(actions)
    return -(log_probs * q_values).mean()
