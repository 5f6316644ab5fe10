"""The policy-gradient pseudo-loss for a Gaussian policy: your implementation goes in `pseudo_loss` below.

Check it with `python selfcheck.py` (public cases, runs in seconds). The grader
also uses hidden cases and trains an InvertedPendulum-v5 policy with your loss.
"""

import math  # noqa: F401  (you will probably want it)

import torch


def pseudo_loss(
    mean: torch.Tensor, log_std: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor
) -> torch.Tensor:
    """Minus the policy gradient objective of a diagonal Gaussian policy, as a loss.

    ========  ==========  =======  ===========================================================
    Symbol    Shape       Dtype    Meaning
    ========  ==========  =======  ===========================================================
    mean      (N, D)      float32  the policy's mean action for N states and D action
                                   dimensions; requires_grad
    log_std   (D,)        float32  log of the standard deviation of each action dimension,
                                   the same for every state; requires_grad
    actions   (N, D)      float32  the action taken in each state, *sampled* from
                                   Normal(mean, exp(log_std)), dimensions independent
    q_values  (N,)        float32  reward-to-go of each sample (not standardised); constants:
                                   no gradient flows to them
    returns   ()          float    a 0-dim tensor L = -(1/N) * sum_i log pi(a_i | s_i) * q_i
    ========  ==========  =======  ===========================================================

    with log pi(a | s) = sum_d [ -((a_d - mean_d) / std_d)**2 / 2 - log_std_d - log(2 pi) / 2 ]
    and std = exp(log_std). Minimising L follows the policy gradient for both the mean and
    log_std. Do not modify the inputs in place, do not leave autograd (no numpy, no .item()),
    and stay finite for |mean| up to 1000, |log_std| up to 15 and actions far from the mean.
    """
    raise NotImplementedError("implement pseudo_loss")
