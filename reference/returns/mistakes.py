"""The returns exercise's mistake catalog: each entry a real wrong implementation, with the feedback.

The signatures are the parts' own (``discounted_return(rewards, gamma)``,
``discounted_reward_to_go(rewards, gamma)``, ``gae_advantages(rewards, values,
terminals, gamma, gae_lambda)``); each entry makes exactly one mistake.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

from grader.author import Mistake
from reference.returns.solution import discounted_reward_to_go, gae_advantages


def _powers(gamma: float, count: int) -> np.ndarray:
    return gamma ** np.arange(count, dtype=np.float64)


RETURN: Tuple[Mistake, ...] = (
    Mistake(
        "return_not_discounted",
        "The return is not discounted",
        "Weigh reward t′ by `gamma ** t′` before summing.",
        "Every reward counts fully: the sum of the rewards, where each r_t′ must be weighed by γ^t′. "
        "Multiply reward t′ by `gamma ** t′` before summing.",
        lambda rewards, gamma: np.full(len(rewards), float(np.sum(rewards))),
    ),
    Mistake(
        "return_is_reward_to_go",
        "The reward-to-go instead of the trajectory's return",
        "Give every step the same number: the discounted sum of all the rewards, from step 0.",
        "Entry t sums the rewards from step t on, which is the reward-to-go (the next function). "
        "`discounted_return` gives every step the same number: the return of the whole trajectory, "
        "from step 0.",
        discounted_reward_to_go,
    ),
    Mistake(
        "discount_starts_at_gamma",
        "The discount starts at γ, not 1",
        "Start the discount at 1: weigh reward t′ by `gamma ** t′`, with t′ counted from 0.",
        "The first reward is weighed by γ instead of γ⁰ = 1, so every term is γ times too small. "
        "The exponent of reward t′ is t′, counted from 0.",
        lambda rewards, gamma: np.full(len(rewards), float(np.sum(_powers(gamma, len(rewards)) * gamma * rewards))),
    ),
)

REWARD_TO_GO: Tuple[Mistake, ...] = (
    Mistake(
        "exponent_t_prime_not_t_prime_minus_t",
        "The discount exponent is t′ where t′ − t belongs",
        "In entry t, weigh reward t′ by `gamma ** (t′ - t)`, not `gamma ** t′`.",
        "Entry t weighs reward t′ by γ^t′, as if discounting from the start of the trajectory; the reward-to-go "
        "discounts from step t, so reward t′ gets γ^(t′ − t) and reward t itself gets 1.",
        lambda rewards, gamma: np.cumsum((_powers(gamma, len(rewards)) * rewards)[::-1])[::-1],
    ),
    Mistake(
        "first_return_everywhere",
        "Every step gets the first step's return",
        "Make entry t sum only the rewards from step t on, discounted from step t.",
        "Each entry is the return of the whole trajectory, which is right only for step 0. The reward-to-go "
        "of step t ignores what happened before t: that is what lowers its variance.",
        lambda rewards, gamma: np.full(len(rewards), float(np.sum(_powers(gamma, len(rewards)) * rewards))),
    ),
    Mistake(
        "sum_not_accumulated",
        "The sum is computed and thrown away (`+` where `+=` belongs)",
        "Store the sum: `rtg[t] = rewards[t] + gamma * rtg[t + 1]`, or use `+=`.",
        "Each entry is its own reward only: a line such as `rtg[t] + gamma * rtg[t + 1]` computes the sum "
        "and never stores it. Assign it (`rtg[t] = rewards[t] + gamma * rtg[t + 1]`) or use `+=`.",
        lambda rewards, gamma: np.array(rewards, dtype=np.float64),
    ),
    Mistake(
        "accumulated_forward",
        "Summed over the past instead of the future",
        "Run the loop backwards, from the last step, so that entry t sums the rewards from t to the end.",
        "Entry t sums the rewards up to t (a forward running sum); the reward-to-go sums from t to the end. "
        "Run the loop backwards, from the last step.",
        lambda rewards, gamma: np.array(
            [sum(gamma ** (t - k) * rewards[k] for k in range(t + 1)) for t in range(len(rewards))], np.float64
        ),
    ),
    Mistake(
        "reward_to_go_not_discounted",
        "The reward-to-go is not discounted",
        "In entry t, weigh reward t′ by `gamma ** (t′ - t)`.",
        "Entry t is the plain sum of the rewards from t on; reward t′ must be weighed by γ^(t′ − t).",
        lambda rewards, gamma: np.cumsum(np.asarray(rewards, np.float64)[::-1])[::-1],
    ),
)


def _gae(rewards, values, terminals, gamma, gae_lambda, *, delta_stops=True, sum_stops=True, minus_value=True):
    """GAE with one part of its trajectory boundary or its δ left out, for the catalog."""
    out = np.zeros(len(rewards))
    following = 0.0
    for i in reversed(range(len(rewards))):
        going = 1.0 - float(terminals[i])
        next_value = float(values[i + 1]) if i + 1 < len(rewards) else 0.0
        delta = rewards[i] + gamma * next_value * (going if delta_stops else 1.0) - (values[i] if minus_value else 0.0)
        following = delta + gamma * gae_lambda * (going if sum_stops else 1.0) * following
        out[i] = following
    return out


GAE: Tuple[Mistake, ...] = (
    Mistake(
        "bootstraps_across_trajectories",
        "δ bootstraps from the next trajectory's first state",
        "In δ, multiply γ·V_{i+1} by (1 − terminals_i).",
        "At the last step of a trajectory, δ adds γ·V of the next entry in the batch, which is the first state "
        "of another trajectory. Multiply γ·V_{i+1} by (1 − terminals_i).",
        lambda r, v, d, g, lam: _gae(r, v, d, g, lam, delta_stops=False),
    ),
    Mistake(
        "sum_runs_across_trajectories",
        "The advantage's sum runs on into the next trajectory",
        "In the recursion, multiply γλ·A_{i+1} by (1 − terminals_i).",
        "The recursion A_i = δ_i + γλ·A_{i+1} does not stop at a trajectory's last step, so advantages mix "
        "in the next trajectory's δs. Multiply γλ·A_{i+1} by (1 − terminals_i).",
        lambda r, v, d, g, lam: _gae(r, v, d, g, lam, sum_stops=False),
    ),
    Mistake(
        "terminals_ignored",
        "Trajectory boundaries are ignored",
        "Multiply both γ·V_{i+1} in δ and γλ·A_{i+1} in the recursion by (1 − terminals_i).",
        "Neither δ nor the sum stops at a trajectory's last step: the batch is treated as one long "
        "trajectory. Both need the factor (1 − terminals_i).",
        lambda r, v, d, g, lam: _gae(r, v, d, g, lam, delta_stops=False, sum_stops=False),
    ),
    Mistake(
        "value_not_subtracted",
        "δ does not subtract V(s_i)",
        "Subtract V_i in δ: δ_i = r_i + γ·V_{i+1}·(1 − terminals_i) − V_i.",
        "δ_i = r_i + γ·V_{i+1}·(1 − d_i) − V_i: without −V_i the advantage is a return estimate, not an "
        "advantage, and its baseline is gone.",
        lambda r, v, d, g, lam: _gae(r, v, d, g, lam, minus_value=False),
    ),
    Mistake(
        "lambda_and_gamma_swapped",
        "λ and γ swapped in δ",
        "In δ, discount V_{i+1} by γ, not λ; λ belongs only in the recursion's γλ.",
        "δ discounts V_{i+1} by λ instead of γ. γ is the discount of the return; λ only weighs how far the "
        "sum of δs looks ahead.",
        lambda r, v, d, g, lam: _swapped(r, v, d, g, lam),
    ),
    Mistake(
        "lambda_ignored",
        "λ is ignored: the advantage is δ alone",
        "Add the advantages that follow: A_i = δ_i + γλ·(1 − terminals_i)·A_{i+1}, not δ_i alone.",
        "Each advantage is one step's δ (GAE with λ = 0). The sum A_i = δ_i + γλ·A_{i+1} gathers the "
        "δs that follow, weighed by (γλ)^l.",
        lambda r, v, d, g, lam: _gae(r, v, d, g, 0.0),
    ),
    Mistake(
        "advantages_normalized",
        "The advantages are standardised inside the function",
        "Return the advantages themselves: remove the subtraction of their mean and the division by their std.",
        "Your advantages have mean 0 and standard deviation 1 over the batch: the right estimates, then "
        "standardised. Standardising is the training loop's choice, made once for the whole batch; "
        "`gae_advantages` returns the estimates themselves. On a batch of one step the standard deviation "
        "is 0, and dividing by it gives NaN (or 0 with a small epsilon).",
        lambda r, v, d, g, lam: _standardised(gae_advantages(r, v, d, g, lam)),
    ),
)


def _standardised(advantages: np.ndarray) -> np.ndarray:
    """The common spelling: numpy's std (over N, not N - 1) and a small epsilon."""
    return (advantages - advantages.mean()) / (advantages.std() + 1e-8)


def _swapped(rewards, values, terminals, gamma, gae_lambda):
    """δ with λ as its discount, the sum with γλ as it should be."""
    going = 1.0 - np.asarray(terminals, np.float64)
    following = np.append(np.asarray(values, np.float64)[1:], 0.0)
    deltas = rewards + gae_lambda * following * going - values
    out = np.zeros(len(rewards))
    running = 0.0
    for i in reversed(range(len(rewards))):
        running = deltas[i] + gamma * gae_lambda * going[i] * running
        out[i] = running
    return out
