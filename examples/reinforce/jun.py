# Homework 2, parts 1-2 (Jun)
import numpy as np
import torch
import torch.nn.functional as F


def discounted_return(rewards, gamma):
    weights = np.power(gamma, np.arange(len(rewards)))
    return np.repeat(np.dot(weights, rewards), len(rewards)).astype(np.float64)


def discounted_reward_to_go(rewards, gamma):
    result = []
    acc = 0.0
    for r in reversed(list(rewards)):
        acc = r + gamma * acc
        result.append(acc)
    return np.array(result[::-1])


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    n = len(rewards)
    values_next = np.append(values[1:], 0.0) * (1 - terminals)
    deltas = rewards + gamma * values_next - values
    adv = np.zeros(n)
    for i in range(n - 1, -1, -1):
        later = adv[i + 1] if i + 1 < n else 0.0
        adv[i] = deltas[i] + gamma * gae_lambda * (1 - terminals[i]) * later
    return adv


def pseudo_loss(logits, actions, q_values):
    picked = F.log_softmax(logits, dim=-1)[torch.arange(logits.shape[0]), actions]
    return -torch.mean(picked * q_values)
