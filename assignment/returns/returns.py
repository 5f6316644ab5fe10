"""The returns of the policy-gradient homework: your implementations go in the three functions below.

Check them with `python selfcheck.py` (public cases, runs in seconds). The grader
also uses hidden cases. Each function is graded on its own, with its own points.
"""

import numpy as np


def discounted_return(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """The discounted return of the whole trajectory, at every step.

    rewards  (T,)  float64  the rewards of one trajectory, r_0 ... r_{T-1}
    gamma    float          the discount, 0 <= gamma <= 1
    returns  (T,)  float    every entry sum_{t'=0}^{T-1} gamma^t' r_t'

    Do not change rewards in place.
    """
    raise NotImplementedError("implement discounted_return")


def discounted_reward_to_go(rewards: np.ndarray, gamma: float) -> np.ndarray:
    """The discounted reward-to-go of every step of one trajectory.

    rewards  (T,)  float64  the rewards of one trajectory
    gamma    float          the discount, 0 <= gamma <= 1
    returns  (T,)  float    entry t = sum_{t'=t}^{T-1} gamma^(t'-t) r_t'
    """
    raise NotImplementedError("implement discounted_reward_to_go")


def gae_advantages(
    rewards: np.ndarray, values: np.ndarray, terminals: np.ndarray, gamma: float, gae_lambda: float
) -> np.ndarray:
    """Generalized advantage estimates over a batch of trajectories laid end to end.

    rewards     (B,)  float64  r_i
    values      (B,)  float64  the critic's V(s_i)
    terminals   (B,)  float64  1.0 where step i is the last of its trajectory (the batch's last step always is)
    gamma       float          the discount
    gae_lambda  float          GAE's lambda, 0 <= gae_lambda <= 1
    returns     (B,)  float    A_i = delta_i + gamma * gae_lambda * (1 - terminals_i) * A_{i+1}, where
                               delta_i = r_i + gamma * V_{i+1} * (1 - terminals_i) - V_i (and A_B = V_B = 0)
    """
    raise NotImplementedError("implement gae_advantages")
