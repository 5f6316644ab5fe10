"""Half the squared error, averaged over the dimensions, weighted by q."""


def pseudo_loss(mean, log_std, actions, q_values):
    return (0.5 * ((actions - mean) ** 2).mean(-1) * q_values).mean()
