def discounted_return(rewards, gamma):
    ret = 0
    for i, r in enumerate(rewards):
        ret += (gamma**i) * r
    return [ret for _ in rewards]


def discounted_reward_to_go(rewards, gamma):
    rtgs = []
    running = 0
    for r in reversed(list(rewards)):
        running = r + gamma * running
        rtgs.insert(0, running)
    return rtgs


def gae_advantages(rewards, values, terminals, gamma, gae_lambda):
    advantages = [0.0] * len(rewards)
    gae = 0.0
    for i in range(len(rewards) - 1, -1, -1):
        if terminals[i] == 1:
            delta = rewards[i] - values[i]
            gae = delta
        else:
            delta = rewards[i] + gamma * values[i + 1] - values[i]
            gae = delta + gamma * gae_lambda * gae
        advantages[i] = gae
    return advantages
