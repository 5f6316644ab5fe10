"""The Gaussian (continuous-action) pseudo-loss: its contract, cases, tolerances, texts and probes.

pseudo_loss(mean (N, D) float32 with grad, log_std (D,) float32 with grad,
actions (N, D) float32, q_values (N,) float32) -> -(1/N) sum_i log pi(a_i|s_i) q_i,
a 0-dim tensor, with log pi(a|s) = sum_d -z_d^2/2 - log_std_d - log(2 pi)/2 and
z = (a - mean) / exp(log_std). This module is public (the handout ships it); the
reference, the catalog and the hidden cases are in reference/gaussian/.
"""

from __future__ import annotations

import math
from functools import partial
from typing import Callable, List, Tuple

import numpy as np

from grader.author import (
    HALF_LOG_2PI,
    Answers,
    Argument,
    Case,
    Check,
    Contract,
    Diagnostics,
    Exercise,
    Expected,
    Observation,
    Part,
    Probe,
    Sizes,
    Spelling,
    SuspectRules,
    Variant,
    Variation,
    close_grad,
    float64_answer,
    make_probe,
    standardized,
)

CONTRACT = Contract(
    "pseudo_loss",
    (
        Argument("mean", "float32", differentiable=True),
        Argument("log_std", "float32", differentiable=True),
        Argument("actions", "float32"),
        Argument("q_values", "float32", short="q"),
    ),
)
EXTREME_MEAN = 1000.0  # |mean| up to this in the extreme cases
EXTREME_LOG_STD = 15.0  # |log_std| up to this: the variance exp(2 log_std) stays a normal float32
FAR = 10.0  # extreme actions lie z ~ N(0, FAR^2) standard deviations out: exp(-z^2/2) underflows
CHECKS = (
    Check(
        "interface", "Interface: returns a 0-dim float tensor connected to mean and log_std", ("policy", "confident")
    ),
    Check("value", "Loss value equals the reference", ("policy",)),
    Check("gradient", "Gradients dL/dmean and dL/dlog_std equal the reference", ("policy",)),
    Check("sampled_actions", "Non-zero loss and gradient on actions sampled from the policy", ("confident",)),
    Check(
        "stability",
        "Finite and correct far out (|mean| up to 1000, |log_std| up to 15, actions 40 std away)",
        ("extreme",),
    ),
    Check("purity", "Pure: inputs unchanged, same answer twice", ("policy", "confident", "extreme")),
    Check("learning", "Trains an InvertedPendulum-v5 policy", ()),
)
TOLERANCE = 1e-4  # of the size of the loss's terms, see solve
GRAD_ATOL = 1e-5  # relative to the largest dL/dmean entry
# A confident policy's std goes below 1e-3, where a variance clamped at 1e-6 (F.gaussian_nll_loss's) is wrong.
_LOG_STD = {"policy": (-1.5, 0.5), "confident": (-9.0, -3.0), "extreme": (-EXTREME_LOG_STD, EXTREME_LOG_STD)}
_EPS32 = 4 * float(np.finfo(np.float32).eps)  # a few roundings of float32 per term


def make_case(kind: str, seed: int, sizes: Tuple[int, ...], hidden: bool = False) -> Case:
    """The case of this kind and seed; actions are sampled from the policy, 'extreme' ones far out.
    q has mean 0.6 and std 1.7: standardised q would hide a dropped constant or q normalised inside."""
    n, d = sizes
    if not (n >= 1 and d >= 1):
        raise ValueError(f"bad case {kind} {seed} {n} {d}")
    rng = np.random.default_rng(seed)
    log_std = rng.uniform(*_LOG_STD[kind], size=d).astype(np.float32)
    if kind == "extreme":
        mean = rng.uniform(-EXTREME_MEAN, EXTREME_MEAN, size=(n, d)).astype(np.float32)
        z = rng.normal(size=(n, d)) * FAR
    else:
        mean = (rng.normal(size=(n, d)) * 1.5).astype(np.float32)
        z = rng.normal(size=(n, d))
    actions = (mean + np.exp(log_std.astype(np.float64)) * z).astype(np.float32)
    q_values = rng.normal(0.6, 1.7, size=n).astype(np.float32)
    return Case(kind, seed, hidden, (mean, log_std, actions, q_values), (("N", n), ("D", d)))


def solve(function: Callable, case: Case) -> Expected:
    """Tolerances relative to the size of the terms, never to a sum that cancels: the loss may stray
    by TOLERANCE of mean_i |q_i| sum_d (z^2/2 + |log_std| + log(2 pi)/2), dL/dlog_std_d by TOLERANCE
    of mean_i |q_i| (z_id^2 + 1) (on sampled actions E[z^2 - 1] = 0, so the sum itself cancels), plus
    float32's rounding of z = (a - mean)/std, which is absolute when a - mean is not exact."""
    loss, grads, (mean, log_std, actions, q_values) = float64_answer(function, CONTRACT, case)
    std = log_std.exp()
    z = (actions - mean) / std
    rz = _EPS32 * ((actions.abs() + mean.abs()) / std + z.abs())  # how far float32's z may be off
    q = q_values.abs()[:, None]
    terms = 0.5 * z**2 + log_std.abs() + HALF_LOG_2PI
    loss_atol = TOLERANCE * float((q * terms).sum(-1).mean()) + float((q * z.abs() * rz).sum(-1).mean())
    mean_atol = GRAD_ATOL * float(np.max(np.abs(grads["mean"]))) + float((q * rz / std).max()) / case.rows
    std_atol = TOLERANCE * (q * (z**2 + 1)).mean(0) + (q * 2 * z.abs() * rz).mean(0)
    return Expected(loss, grads, loss_atol, {"mean": mean_atol, "log_std": float(std_atol.max())})


# --- diagnosis -------------------------------------------------------------------------------
# Probes: N from 1 to 24, D from 1 to 3, q not standardised (mean 0.7), log_std positive and
# different per dimension (log_std_as_std answers only for a positive log_std, and std = 1 would
# hide the regression and variance mistakes), one probe with actions 40 std from the mean and one
# with a std below 1e-3 (a clamped variance is finite and wrong there: clamped_variance).
# Suspects: each catalog entry (and the reference) possibly with its sign flipped, times N
# (sum_reduction), with q standardised inside (either std); the regression with any of the
# constant factors its common spellings have.

# ((a - mean)**2).sum(-1), or half of it; .mean(-1) instead adds 1/D
_REGRESSION = tuple(Spelling(c, per=per) for c in (1.0, 0.5) for per in ("", "D"))
SUSPECTS = SuspectRules(
    left_out=("normalized_inside",),  # its variants stand for it, one per std
    variants=tuple(
        Variant("normalized_inside", "q_values", partial(standardized, ddof=d, epsilon=1e-8)) for d in (0, 1)
    ),
    spellings={"mse_regression": _REGRESSION},
)


def _random_probe(name: str, seed: int, n: int, d: int, **flags) -> Probe:
    rng = np.random.default_rng(seed)
    mean = rng.normal(size=(n, d)) * 1.2
    log_std = rng.uniform(0.2, 1.2, size=d)
    actions = mean + np.exp(log_std) * rng.normal(size=(n, d))
    return make_probe(CONTRACT, name, mean, log_std, actions, rng.normal(size=n) + 0.7, **flags)


def _make_probes() -> Tuple[Probe, ...]:
    mixed = _random_probe("mixed", 7, 6, 3)
    mean, log_std, actions, q_values = mixed.arrays
    return (
        make_probe(CONTRACT, "tiny", [[0.5]], [0.4], [[1.7]], [2.0]),
        make_probe(
            CONTRACT,
            "two",
            [[0.5, -1.0], [0.0, 0.3], [1.2, 0.8]],
            [0.3, 0.9],
            [[1.4, -0.2], [-0.9, 1.5], [0.6, 2.9]],
            [2.0, -1.0, 0.5],
        ),
        mixed,
        make_probe(CONTRACT, "mixed, other actions", mean, log_std, 2 * mean - actions + 0.5, q_values),
        make_probe(CONTRACT, "mixed, q rescaled", mean, log_std, actions, 3 * q_values - 2),
        _random_probe("batch", 13, 24, 2, trace=True),
        make_probe(
            CONTRACT,
            "tiny std",
            [[0.5, -1.0], [1.2, 0.3]],
            [-9.0, -8.0],
            [
                [0.5 + 1.3 * math.exp(-9.0), -1.0 - 0.7 * math.exp(-8.0)],
                [1.2 - 0.4 * math.exp(-9.0), 0.3 + 1.1 * math.exp(-8.0)],
            ],
            [1.0, -2.0],
            extreme=True,
        ),
        make_probe(
            CONTRACT,
            "extreme",
            [[100.0, -50.0], [3.0, 7.0]],
            [1.0, 0.5],
            [[100.0 + 40 * math.e, -50.0], [3.0, 7.0 - 40 * math.exp(0.5)]],
            [1.0, -2.0],
            extreme=True,
        ),
    )


PROBES = _make_probes()


def _sizes(probe: Probe) -> Sizes:
    return (("N", probe.rows), ("D", probe.arrays[0].shape[1]))


def _hints(answers: Answers) -> List[Observation]:
    """Beside the generic observations: dL/dmean off by the variance, the regression's signature."""
    shown = [i for i in answers.finite if "mean" in answers.pair(i)[0].grads]
    if not shown or len(shown) < len(answers.answered):
        return []
    for i in shown:
        mine, correct = answers.pair(i)
        variance = np.exp(2 * answers.probes[i].arrays[1].astype(np.float64))
        ratios = [c * variance for c in (1.0, 0.5, 2.0)]  # the spellings of a squared error differ by 2
        if not any(close_grad(mine.grads["mean"], correct.grads["mean"] * r) for r in ratios):
            return []
    text = (
        f"your dL/dmean is the correct one times the variance exp(2·log_std) of each dimension (or half or "
        f"twice that) {answers.on(len(shown))}: the division by the variance is missing"
    )
    return [Observation("variance", text, shown[0], "a squared error instead of the Gaussian log-likelihood")]


_VARIATIONS = (
    Variation("mixed, other actions", "mixed", "actions", "the actions move"),
    Variation("mixed, q rescaled", "mixed", "q_values", "q becomes 3q − 2"),
)
_MEANINGS = {
    "ratio −1": "the sign is flipped",
    "ratio N": "a sum over the batch instead of the mean",
    "ratio 1/D": "the log-density averaged over the action dimensions instead of summed",
    "offset": "a term that does not depend on mean or log_std, such as −½·log 2π per dimension, is missing or extra",
    "single zero": "q standardised inside the loss turns a single q into 0",
    "single nan": "q standardised inside the loss with an unbiased std is NaN for a single sample",
}


DIAGNOSTICS = Diagnostics(
    CONTRACT,
    PROBES,
    SUSPECTS,
    _hints,
    "unstable_log",
    inexact="clamped_variance",
    sizes=_sizes,
    variations=_VARIATIONS,
    meanings=_MEANINGS,
)
PART = Part(
    CONTRACT,
    CHECKS,
    make_case,
    solve,
    DIAGNOSTICS,
    stable="Finite and correct with |mean| up to 1000, |log_std| up to 15 and actions 40 std from the mean.",
    unstable_advice=(
        "compute the log-density directly (−z²/2 − log_std − ½·log 2π, or `Normal(...).log_prob`), "
        "not the log of the density"
    ),
    sampled_not_zero="the actions are samples, not the mean, so (a − mean)/std and the log-density's gradient are not zero",
)
EXERCISE = Exercise((PART,), walkthrough="explain.py")
