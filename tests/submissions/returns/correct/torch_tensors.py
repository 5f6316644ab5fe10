import torch


def discounted_return(rewards, gamma):
    r = torch.as_tensor(rewards, dtype=torch.float64)
    discounts = gamma ** torch.arange(len(r), dtype=torch.float64)
    return (discounts * r).sum().repeat(len(r))


def discounted_reward_to_go(rewards, gamma):
    r = torch.as_tensor(rewards, dtype=torch.float64)
    out = torch.zeros_like(r)
    running = torch.tensor(0.0, dtype=torch.float64)
    for t in range(len(r) - 1, -1, -1):
        running = r[t] + gamma * running
        out[t] = running
    return out


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    r = torch.from_numpy(rewards)
    v = torch.from_numpy(values)
    d = torch.from_numpy(terminals)
    next_v = torch.cat([v[1:], torch.zeros(1, dtype=v.dtype)])
    deltas = r + gamma * next_v * (1 - d) - v
    adv = torch.zeros_like(deltas)
    gae = 0.0
    for i in reversed(range(len(deltas))):
        gae = deltas[i] + gamma * gae_lambda * (1 - d[i]) * gae
        adv[i] = gae
    return adv
