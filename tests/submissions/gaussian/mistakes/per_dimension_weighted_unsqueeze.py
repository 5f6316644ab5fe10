"""log_prob is (N, D): weighted by q[:, None] and averaged over everything."""

from torch.distributions import Normal


def pseudo_loss(mean, log_std, actions, q_values):
    log_probs = Normal(mean, log_std.exp()).log_prob(actions)
    return -(log_probs * q_values.unsqueeze(-1)).mean()
