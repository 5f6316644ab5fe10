"""Everything in float64, the result cast back to float32."""

import math


def pseudo_loss(mean, log_std, actions, q_values):
    mean, log_std, actions, q_values = (t.double() for t in (mean, log_std, actions, q_values))
    z = (actions - mean) * (-log_std).exp()
    log_pi = -0.5 * (z * z).sum(-1) - log_std.sum() - mean.shape[1] * 0.5 * math.log(2 * math.pi)
    return (-(log_pi * q_values).sum() / len(q_values)).float()
