"""Reference solutions of the returns exercise (instructor only): plain loops, in float64."""

import numpy as np


def discounted_return(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """Every entry the whole trajectory's discounted return, sum_t gamma^t r_t."""
    total = 0.0
    for reward in reversed(np.asarray(rewards, np.float64)):
        total = reward + gamma * total
    return np.full(len(rewards), total)


def discounted_reward_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """Entry t: sum_{t' >= t} gamma^(t' - t) r_t'."""
    out = np.zeros(len(rewards))
    running = 0.0
    for t in reversed(range(len(rewards))):
        running = float(rewards[t]) + gamma * running
        out[t] = running
    return out


def gae_advantages(
    rewards: np.ndarray, values: np.ndarray, terminals: np.ndarray, gamma: float, gae_lambda: float
) -> np.ndarray:
    """delta_i = r_i + gamma V_{i+1} (1 - d_i) - V_i and A_i = delta_i + gamma lambda (1 - d_i) A_{i+1}."""
    out = np.zeros(len(rewards))
    following = 0.0  # A_{i+1}
    for i in reversed(range(len(rewards))):
        going = 1.0 - float(terminals[i])
        next_value = float(values[i + 1]) if i + 1 < len(rewards) else 0.0
        delta = float(rewards[i]) + gamma * next_value * going - float(values[i])
        following = delta + gamma * gae_lambda * going * following
        out[i] = following
    return out
