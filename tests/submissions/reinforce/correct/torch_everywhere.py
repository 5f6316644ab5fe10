"""Correct: every function in torch, float64 tensors returned by the returns; the discount as a
reversed cumulative sum of gamma^t r_t rescaled; GAE through a per-step loop over tensors."""

import torch
import torch.nn.functional as F


def discounted_reward_to_go(rewards, gamma):
    r = torch.as_tensor(rewards, dtype=torch.float64)
    out = torch.zeros_like(r)
    running = torch.tensor(0.0, dtype=torch.float64)
    for t in reversed(range(r.shape[0])):
        running = r[t] + gamma * running
        out[t] = running
    return out


def discounted_return(rewards, gamma):
    to_go = discounted_reward_to_go(rewards, gamma)
    return to_go[0].repeat(len(to_go))


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    r, v, d = (torch.as_tensor(x, dtype=torch.float64) for x in (rewards, values, terminals))
    next_v = torch.cat([v[1:], torch.zeros(1, dtype=torch.float64)])
    deltas = r + gamma * next_v * (1 - d) - v
    out = torch.zeros_like(r)
    carry = torch.tensor(0.0, dtype=torch.float64)
    for i in range(len(r) - 1, -1, -1):
        carry = deltas[i] + gamma * gae_lambda * (1 - d[i]) * carry
        out[i] = carry
    return out


def pseudo_loss(logits, actions, q_values):
    return F.cross_entropy(logits, actions, reduction="none").mul(q_values).mean()
