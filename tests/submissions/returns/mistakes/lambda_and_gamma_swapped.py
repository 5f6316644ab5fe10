import torch


def discounted_return(rewards, gamma):
    r = torch.tensor(rewards, dtype=torch.float64)
    return torch.full_like(r, float((gamma ** torch.arange(len(r), dtype=torch.float64) * r).sum()))


def discounted_reward_to_go(rewards, gamma):
    r = torch.tensor(rewards, dtype=torch.float64)
    out = torch.zeros_like(r)
    acc = 0.0
    for t in reversed(range(len(r))):
        acc = r[t] + gamma * acc
        out[t] = acc
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    r = torch.tensor(rewards, dtype=torch.float64)
    v = torch.tensor(values, dtype=torch.float64)
    done = torch.tensor(terminals, dtype=torch.float64)
    v_next = torch.cat([v[1:], torch.zeros(1, dtype=torch.float64)])
    deltas = r + gae_lambda * v_next * (1 - done) - v
    adv = torch.zeros_like(deltas)
    running = 0.0
    for i in reversed(range(len(deltas))):
        running = deltas[i] + gamma * gae_lambda * (1 - done[i]) * running
        adv[i] = running
    return adv
