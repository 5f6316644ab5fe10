"""The Gaussian pseudo-loss worked through on one small batch, beside the student's own numbers.

`python -m grader explain --exercise gaussian SUB` and `python selfcheck.py --explain` print
it: the mean and std, the actions the agent sampled, z = (a - mean)/std, the per-dimension
log-densities, their sum over the dimensions, times q, the mean; then the student's value
and gradients on the same batch and the first step where they part. The steps are computed
here in float64 from the formulas of the handout's README; tests/exercises/test_gaussian.py checks
them against the reference. This module is public (the handout ships it).
"""

from __future__ import annotations

from typing import List

import numpy as np

from grader.author import HALF_LOG_2PI, Answer, Turn, Walkthrough, num, row


def _float32(values) -> np.ndarray:
    """The numbers as the student's function gets them (float32), in float64 for the steps."""
    return np.asarray(values, np.float32).astype(np.float64)


MEAN = _float32([[0.5, -1.0], [0.0, 0.3], [1.2, 0.8]])
LOG_STD = _float32([-0.5, 0.3])
Q_VALUES = _float32([1.5, -0.5, 1.0])
SEED = 3  # the noise of the actions: numpy's default_rng(SEED).standard_normal((N, D))
RTOL = 1e-4  # of the size of the loss's terms (the grader's own tolerance, see exercise.py)

N, D = MEAN.shape
STD = np.exp(LOG_STD)
ACTIONS = _float32(MEAN + STD * np.random.default_rng(SEED).standard_normal((N, D)))
Z = (ACTIONS - MEAN) / STD
PER_DIM = -0.5 * Z**2 - LOG_STD - HALF_LOG_2PI  # step 4, (N, D)
LOG_PI = PER_DIM.sum(axis=1)  # step 5
TERMS = -LOG_PI * Q_VALUES  # step 6
LOSS = float(TERMS.mean())
GRAD_MEAN = -(Q_VALUES[:, None] * Z / STD) / N
GRAD_LOG_STD = -(Q_VALUES[:, None] * (Z**2 - 1)).sum(axis=0) / N
_SCALE = float(np.abs(TERMS).mean())


def steps() -> str:
    """The correct computation on the batch, step by step."""
    rows = range(N)
    lines = [
        f"One batch, step by step: N = {N} states, D = {D} action dimensions.",
        "",
        "1. mean: the policy network's mean action, one row per state; std = exp(log_std), shared",
        *(f"     state {i}: {row(MEAN[i])}" for i in rows),
        f"     log_std {row(LOG_STD)}  ->  std {row(STD)}",
        f"2. a = mean + std × noise: the actions the agent drew while it played (noise seed {SEED});",
        "   samples, not the mean, and fixed data from now on, like q:",
        *(f"     state {i}: {row(ACTIONS[i])}" for i in rows),
        "3. z = (a - mean) / std: how many standard deviations each action is from the mean",
        *(f"     state {i}: {row(Z[i])}" for i in rows),
        f"4. per dimension, log N(a; mean, std²) = -z²/2 - log_std - ½·log 2π (½·log 2π = {num(HALF_LOG_2PI)})",
        *(f"     state {i}: {row(PER_DIM[i])}" for i in rows),
        "5. log π(a|s): the SUM over the dimensions (they are independent: densities multiply)",
        *(f"     state {i}: {num(LOG_PI[i])}" for i in rows),
        "6. times -q (q is a constant: no gradient flows to it)",
        *(f"     state {i}: -({num(LOG_PI[i])}) × {num(Q_VALUES[i])} = {num(TERMS[i])}" for i in rows),
        f"7. L = the mean over the N states = {num(LOSS)}",
        "   dL/dmean[i] = -q_i × z_i / std / N, and dL/dlog_std = -Σ_i q_i × (z_i² - 1) / N:",
        *(f"     dL/dmean, state {i}: {row(GRAD_MEAN[i])}" for i in rows),
        f"     dL/dlog_std:       {row(GRAD_LOG_STD)}",
    ]
    return "\n".join(lines)


def _weighted(per_dim: np.ndarray) -> float:
    return float((-per_dim.sum(axis=1) * Q_VALUES).mean())


def _with_std(std: np.ndarray) -> float:
    return _weighted(-0.5 * ((ACTIONS - MEAN) / std) ** 2 - np.log(std) - HALF_LOG_2PI)


# The known wrong turns; the first whose value matches the student's is named.
TURNS = (
    Turn(1, _with_std(STD**2), ("variance_as_scale",), "you used the variance exp(2·log_std) where the std goes."),
    Turn(
        4,
        float((((ACTIONS - MEAN) ** 2).sum(axis=1) * Q_VALUES).mean()),
        ("mse_regression",),
        "you used the squared error (a - mean)², weighted by q: the -log_std term, the division by "
        "the variance and the constant are missing, and no gradient reaches log_std.",
    ),
    Turn(
        4,
        float((0.5 * ((ACTIONS - MEAN) ** 2).mean(axis=1) * Q_VALUES).mean()),
        ("mse_regression",),
        "you used half the mean squared error ½·mean_d (a - mean)², weighted by q: a regression on "
        "the actions, not their log-likelihood; the -log_std term and the division by the variance "
        "are missing, and no gradient reaches log_std.",
    ),
    Turn(
        4,
        _weighted(PER_DIM + HALF_LOG_2PI),
        ("dropped_constant",),
        "the constant -½·log 2π of each dimension is missing.",
    ),
    Turn(
        4,
        float((-np.exp(LOG_PI) * Q_VALUES).mean()),
        ("no_log",),
        "you used the density π(a|s) where the loss takes its log.",
    ),
    Turn(
        5,
        LOSS / D,
        ("mean_over_dims", "per_dimension_weighted"),
        f"you averaged over the dimensions (or the (N, D) tensor) instead of summing: ÷ D = {D}.",
    ),
    Turn(6, float(-LOG_PI.mean()), ("unweighted",), "q is missing: the loss makes every sampled action more likely."),
    Turn(
        6,
        float(-LOG_PI.mean() * Q_VALUES.mean()),
        ("broadcast", "weight_after_reduction"),
        "each state's log π is weighted by the batch's mean q instead of its own (an (N, 1) × (N,) "
        "broadcast into an N × N matrix, or a mean taken before the weighting).",
    ),
    Turn(7, float(TERMS.sum()), ("sum_reduction",), f"you summed over the states instead of averaging: × N = {N}."),
    Turn(
        7,
        -LOSS,
        ("sign_flipped",),
        "the sign is flipped: minimising it moves the mean away from actions with positive q.",
    ),
)


def _shown(answer: Answer) -> List[str]:
    """The student's gradients, one row of dL/dmean per state."""
    if not answer.connected:
        return ["   gradients: none, the loss is not connected to mean and log_std in autograd"]
    return [f"   dL/dmean, state {i}: {row(answer.grads['mean'][i])}" for i in range(N)] + [
        f"   dL/dlog_std:       {row(answer.grads['log_std'])}"
    ]


WALKTHROUGHS = (
    Walkthrough(
        "pseudo_loss",
        (MEAN.astype(np.float32), LOG_STD.astype(np.float32), ACTIONS.astype(np.float32), Q_VALUES.astype(np.float32)),
        steps,
        LOSS,
        7,
        TURNS,
        RTOL * _SCALE,
        {"mean": GRAD_MEAN, "log_std": GRAD_LOG_STD},
        _shown,
        reaches="mean and log_std",
        not_scalar=" (step 7 takes the mean)",
        not_finite=f"where log_std[0] = {num(LOG_STD[0])} is negative: log_std can be, the std exp(log_std) "
        "cannot. Is log_std used as the std (its log, its root)?",
        parted="Yours parts from the steps at step {step}: {text}",
        unmatched="Yours is none of the usual wrong turns. Print your intermediate tensors on this batch and "
        "compare them with the steps above: the first that differs is where to look.",
    ),
)
