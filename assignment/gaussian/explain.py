"""The Gaussian pseudo-loss worked through on one small batch, beside the student's own numbers.

`python -m grader explain --exercise gaussian SUB` and `python selfcheck.py --explain` print
it: the mean and std, the actions the agent sampled, z = (a - mean)/std, the per-dimension
log-densities, their sum over the dimensions, times q, the mean; then the student's value
and gradients on the same batch and the first step where they part. The steps are computed
here in float64 from the formulas of the handout's README; tests/exercises/test_gaussian.py checks
them against the reference. This module is public (the handout ships it).
"""

from __future__ import annotations

import math
from typing import Callable, Optional, Tuple

import numpy as np

from grader.author import HALF_LOG_2PI, Answer, Walkthrough


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


def _num(x: float) -> str:
    """Four significant digits, and never "-0"."""
    text = f"{float(x):.4g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _row(values: np.ndarray) -> str:
    return "[" + " ".join(f"{round(float(v), 4) + 0.0:8.4f}" for v in np.atleast_1d(values)) + " ]"


def steps() -> str:
    """The correct computation on the batch, step by step."""
    rows = range(N)
    lines = [
        f"One batch, step by step: N = {N} states, D = {D} action dimensions.",
        "",
        "1. mean: the policy network's mean action, one row per state; std = exp(log_std), shared",
        *(f"     state {i}: {_row(MEAN[i])}" for i in rows),
        f"     log_std {_row(LOG_STD)}  ->  std {_row(STD)}",
        f"2. a = mean + std × noise: the actions the agent drew while it played (noise seed {SEED});",
        "   samples, not the mean, and fixed data from now on, like q:",
        *(f"     state {i}: {_row(ACTIONS[i])}" for i in rows),
        "3. z = (a - mean) / std: how many standard deviations each action is from the mean",
        *(f"     state {i}: {_row(Z[i])}" for i in rows),
        f"4. per dimension, log N(a; mean, std²) = -z²/2 - log_std - ½·log 2π (½·log 2π = {_num(HALF_LOG_2PI)})",
        *(f"     state {i}: {_row(PER_DIM[i])}" for i in rows),
        "5. log π(a|s): the SUM over the dimensions (they are independent: densities multiply)",
        *(f"     state {i}: {_num(LOG_PI[i])}" for i in rows),
        "6. times -q (q is a constant: no gradient flows to it)",
        *(f"     state {i}: -({_num(LOG_PI[i])}) × {_num(Q_VALUES[i])} = {_num(TERMS[i])}" for i in rows),
        f"7. L = the mean over the N states = {_num(LOSS)}",
        "   dL/dmean[i] = -q_i × z_i / std / N, and dL/dlog_std = -Σ_i q_i × (z_i² - 1) / N:",
        *(f"     dL/dmean, state {i}: {_row(GRAD_MEAN[i])}" for i in rows),
        f"     dL/dlog_std:       {_row(GRAD_LOG_STD)}",
    ]
    return "\n".join(lines)


def _weighted(per_dim: np.ndarray) -> float:
    return float((-per_dim.sum(axis=1) * Q_VALUES).mean())


def _with_std(std: np.ndarray) -> float:
    return _weighted(-0.5 * ((ACTIONS - MEAN) / std) ** 2 - np.log(std) - HALF_LOG_2PI)


# (step, the loss it computes instead, what went wrong there); the first whose value matches is named.
_TURNS: Tuple[Tuple[int, Callable[[], float], str], ...] = (
    (1, lambda: _with_std(STD**2), "you used the variance exp(2·log_std) where the std goes."),
    (
        4,
        lambda: float((((ACTIONS - MEAN) ** 2).sum(axis=1) * Q_VALUES).mean()),
        "you used the squared error (a - mean)², weighted by q: the -log_std term, the division by "
        "the variance and the constant are missing, and no gradient reaches log_std.",
    ),
    (4, lambda: _weighted(PER_DIM + HALF_LOG_2PI), "the constant -½·log 2π of each dimension is missing."),
    (
        4,
        lambda: float((-np.exp(LOG_PI) * Q_VALUES).mean()),
        "you used the density π(a|s) where the loss takes its log.",
    ),
    (5, lambda: LOSS / D, f"you averaged over the dimensions (or the (N, D) tensor) instead of summing: ÷ D = {D}."),
    (6, lambda: float(-LOG_PI.mean()), "q is missing: the loss makes every sampled action more likely."),
    (
        6,
        lambda: float(-LOG_PI.mean() * Q_VALUES.mean()),
        "each state's log π is weighted by the batch's mean q instead of its own (an (N, 1) × (N,) "
        "broadcast into an N × N matrix, or a mean taken before the weighting).",
    ),
    (7, lambda: float(TERMS.sum()), f"you summed over the states instead of averaging: × N = {N}."),
    (7, lambda: -LOSS, "the sign is flipped: minimising it moves the mean away from actions with positive q."),
)


def compare(answer: Answer) -> str:
    """The student's value and gradients on the batch, and the first step where they part."""
    value = answer.scalar
    if value is None:
        shape = "unknown" if answer.shape is None else str(tuple(answer.shape))
        return f"   Your function returned a {answer.returned} of shape {shape}, not a 0-dim tensor (step 7 takes the mean)."
    lines = [f"   L = {_num(value)}   (step 7 gives {_num(LOSS)})", *_grad_lines(answer)]
    if not math.isfinite(value):
        lines.append(
            f"   Your loss is {_num(value)} on this batch, where log_std[0] = {_num(LOG_STD[0])} is negative: "
            "log_std can be, the std exp(log_std) cannot. Is log_std used as the std (its log, its root)?"
        )
        return "\n".join(lines)
    if abs(value - LOSS) <= RTOL * _SCALE:
        lines.append(_same_value(answer))
        return "\n".join(lines)
    turn = next(((step, text) for step, loss, text in _TURNS if abs(value - loss()) <= RTOL * _SCALE), None)
    if turn is not None:
        lines.append(f"   Yours parts from the steps at step {turn[0]}: {turn[1]}")
    else:
        lines.append(
            "   Yours is none of the usual wrong turns. Print your intermediate tensors on this batch and "
            "compare them with the steps above: the first that differs is where to look."
        )
    return "\n".join(lines)


def _grad_lines(answer: Answer) -> list:
    if not answer.connected:
        return ["   gradients: none, the loss is not connected to mean and log_std in autograd"]
    return [f"   dL/dmean, state {i}: {_row(answer.grads['mean'][i])}" for i in range(N)] + [
        f"   dL/dlog_std:       {_row(answer.grads['log_std'])}"
    ]


def _first_wrong(answer: Answer) -> Optional[str]:
    for name, expected in (("mean", GRAD_MEAN), ("log_std", GRAD_LOG_STD)):
        grad = answer.grads[name]
        wrong = np.argwhere(np.abs(grad - expected) > 1e-5 * float(np.max(np.abs(expected))) + 1e-7)
        if len(wrong):
            where = ", ".join(str(int(k)) for k in wrong[0])
            at = tuple(int(k) for k in wrong[0])
            return f"dL/d{name}[{where}] should be {_num(expected[at])}, yours is {_num(grad[at])}"
    return None


def _same_value(answer: Answer) -> str:
    if not answer.connected:
        return (
            "   Your value is step 7's, but no gradient reaches mean and log_std: something on the way left "
            "autograd (.item(), .numpy(), .detach(), torch.tensor(...)), so the policy cannot learn."
        )
    wrong = _first_wrong(answer)
    if wrong is None:
        return "   Yours matches at every step: the same value and the same gradients."
    return f"   Your value is step 7's, but not your gradients: {wrong}."


def _check_turns() -> None:
    """Every wrong turn's loss differs from the right one and from the others' on this batch, so
    naming the first match is never ambiguous (checked when the module is imported)."""
    losses = [LOSS] + [loss() for _, loss, _ in _TURNS]
    for i, loss in enumerate(losses):
        if any(abs(loss - other) <= 100 * RTOL * _SCALE for other in losses[:i]):
            raise ValueError(f"two steps of the walk-through give the same loss on its batch: {losses}")


_check_turns()
WALKTHROUGH = Walkthrough(
    (MEAN.astype(np.float32), LOG_STD.astype(np.float32), ACTIONS.astype(np.float32), Q_VALUES.astype(np.float32)),
    steps,
    compare,
)
