"""The discrete-action pseudo-loss: its contract, cases, tolerances, texts and diagnosis probes.

pseudo_loss(logits (N, A) float32 with grad, actions (N,) int64, q_values (N,)
float32) -> -(1/N) sum_i log softmax(logits_i)[a_i] q_i, a 0-dim tensor.
This module is public (the handout ships it); the reference, the catalog and
the hidden cases are in reference/discrete/.
"""

from __future__ import annotations

from functools import partial
from typing import Callable, List, Optional, Tuple

import numpy as np
import torch

from grader.author import (
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
    Spelling,
    SuspectRules,
    Variant,
    Variation,
    flat,
    float64_answer,
    fmt,
    make_probe,
    standardized,
)

CONTRACT = Contract(
    "pseudo_loss",
    (
        Argument("logits", "float32", differentiable=True),
        Argument("actions", "int64"),
        Argument("q_values", "float32", short="q"),
    ),
)
CHECKS = (
    Check("interface", "Interface: returns a 0-dim float tensor connected to logits", ("policy", "confident")),
    Check("value", "Loss value equals the reference", ("policy",)),
    Check("gradient", "Gradient dL/dlogits equals the reference", ("policy",)),
    Check("sampled_actions", "Non-zero loss and gradient on actions sampled from the policy", ("confident",)),
    Check("stability", "Finite and correct at extreme logits (|logit| up to 1000)", ("extreme",)),
    Check("purity", "Pure: inputs unchanged, same answer twice", ("policy", "confident", "extreme")),
    Check("learning", "Trains a CartPole-v1 policy", ()),
)
TOLERANCE = 1e-4  # of the size of the loss's terms, see solve
GRAD_ATOL = 1e-5  # relative to the largest gradient entry
_LOGIT_SCALE = {"policy": 2.0, "confident": 4.0}
EXTREME_LOGIT = 1000.0
_EPS32 = 4 * float(np.finfo(np.float32).eps)  # a few roundings of float32 per log-softmax


def make_case(kind: str, seed: int, sizes: Tuple[int, ...], hidden: bool = False) -> Case:
    """The case of this kind and seed; 'extreme' actions are uniform, the others sampled."""
    n, a = sizes
    if not (n >= 1 and a >= 2):
        raise ValueError(f"bad case {kind} {seed} {n} {a}")
    rng = np.random.default_rng(seed)
    if kind == "extreme":
        logits = rng.uniform(-EXTREME_LOGIT, EXTREME_LOGIT, size=(n, a)).astype(np.float32)
        actions = rng.integers(0, a, size=n)
    else:
        logits = (rng.normal(size=(n, a)) * _LOGIT_SCALE[kind]).astype(np.float32)
        actions = sample_actions(logits, rng)
    q_values = rng.normal(size=n).astype(np.float32)
    return Case(kind, seed, hidden, (logits, actions.astype(np.int64), q_values), (("N", n), ("A", a)))


def sample_actions(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row drawn from softmax(logits), as the policy itself would."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random((len(logits), 1))
    return np.minimum((cumulative < draws).sum(axis=1), logits.shape[1] - 1)


def solve(function: Callable, case: Case) -> Expected:
    """The loss may stray by TOLERANCE of the size of its terms, mean |log pi(a_i) q_i| (float32
    summation of N terms of mixed sign loses digits of the sum, never of the terms), plus float32's
    own rounding of log-softmax: eps * (1 + |largest logit|) * |q|, averaged (one gradient entry:
    the largest, over N)."""
    loss, grads, (logits, actions, q_values) = float64_answer(function, CONTRACT, case)
    log_pi = torch.log_softmax(logits, dim=-1).gather(1, actions[:, None]).squeeze(1)
    scale = float((log_pi * q_values).abs().mean())
    rounding = _EPS32 * (1 + np.abs(case.arrays[0]).max(axis=1)) * np.abs(case.arrays[2])
    grad = grads["logits"]
    grad_atol = GRAD_ATOL * float(np.max(np.abs(grad))) + float(rounding.max()) / case.rows
    return Expected(loss, grads, TOLERANCE * scale + float(rounding.mean()), {"logits": grad_atol})


# --- diagnosis -------------------------------------------------------------------------------
# The probes: A from 2 to 4, N from 1 to 24, q not standardised and of mixed sign (on
# standardised q several mistakes all collapse to about zero), actions that are not the
# argmax, three variations of one probe (other actions, q affinely changed, q shifted) and one
# probe with logits of ±500. Suspects: each catalog entry (and the reference) possibly with an
# output scale, ×−1 (sign_flipped), ×N (sum_reduction), ×−N (both), and with q standardised
# inside the loss (normalized_inside: either std, with or without an epsilon, which decides
# whether one sample gives 0 or NaN), and with q ignored (unweighted: every q read as one).

# Mistakes that build an (N, A) tensor: reducing it with .sum(-1).mean() instead of .mean()
# multiplies by A and is still the same mistake.
_PER_ACTION = (Spelling(), Spelling(times="A"))
_STANDARDISED = ((0, 1e-8), (0, 0.0), (1, 1e-8))  # (ddof, epsilon): np.std + eps, np.std, torch's std + eps
SUSPECTS = SuspectRules(
    left_out=("normalized_inside",),  # its variants stand for it, one per way of standardising
    variants=(
        Variant("unweighted", "q_values", np.ones_like),  # q ignored besides: every q read as one
        *(Variant("normalized_inside", "q_values", partial(standardized, ddof=d, epsilon=e)) for d, e in _STANDARDISED),
    ),
    spellings={"sum_over_actions": _PER_ACTION, "all_actions_weighted": _PER_ACTION},
)


def _random_probe(name: str, seed: int, n: int, a: int, **flags) -> Probe:
    """Actions in {0, 1} only: the two-action shortcut is then defined the same way however written."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, a)) * 1.5
    actions = rng.integers(0, 2, size=n)
    q_values = rng.normal(size=n) + 0.7  # mean far from zero, signs mixed
    return make_probe(CONTRACT, name, logits, actions, q_values, **flags)


def _make_probes() -> Tuple[Probe, ...]:
    mixed = _random_probe("mixed", 7, 6, 4)
    logits, actions, q_values = mixed.arrays
    return (
        make_probe(CONTRACT, "tiny", [[2.0, 0.0]], [1], [3.0]),
        make_probe(
            CONTRACT, "three", [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-0.5, 0.3, 0.2]], [1, 0, 0], [2.0, -1.0, 0.5]
        ),
        _random_probe("pair", 11, 5, 2),
        mixed,
        make_probe(CONTRACT, "mixed, other actions", logits, 1 - actions, q_values),
        make_probe(CONTRACT, "mixed, q rescaled", logits, actions, 3 * q_values - 2),
        make_probe(CONTRACT, "mixed, q shifted", logits, actions, q_values + 1),
        _random_probe("batch", 13, 24, 3, trace=True),
        make_probe(
            CONTRACT,
            "extreme",
            [[500.0, -500.0, 0.0], [-400.0, 400.0, 100.0], [3.0, 2.0, -700.0]],
            [1, 0, 1],
            [1.0, -2.0, 0.5],
            extreme=True,
        ),
    )


PROBES = _make_probes()
_EXTRA_TERM = (
    "that is what an added term does, such as an entropy bonus or a regulariser, which is not part of the pseudo-loss"
)
VARIATIONS = (
    Variation(
        "mixed, other actions",
        "mixed",
        "actions",
        "the other action is taken (a becomes 1 − a)",
        ignored="the loss must use the log-probability of the action taken",
        offset=_EXTRA_TERM,
    ),
    Variation(
        "mixed, q rescaled",
        "mixed",
        "q_values",
        "q becomes 3q − 2",
        ignored="each sample's q must weight its term, so the loss must change with q",
        offset=_EXTRA_TERM,
    ),
    Variation(
        "mixed, q shifted",
        "mixed",
        "q_values",
        "q becomes q + 1",
        ignored="that is what subtracting the batch's mean of q (a baseline) inside the loss does",
        offset=_EXTRA_TERM,
    ),
)
MEANINGS = {  # what an observation of this kind usually means here (grader.naming.observations)
    "ratio −1": "that is what a flipped sign does",
    "ratio N": "that is what a sum over the batch does where the mean belongs",
    "ratio −N": "that is what a sum instead of a mean, with a flipped sign, does",
    "ratio 1/N": "that is what dividing the mean by N once more does",
    "ratio 1/A": "that is what a mean over all N × A entries of a one-hot or masked product does: sum over the actions first",
    "constant": "the policy never changes",
    "zero gradient": "the policy never changes",
    "single zero": "that is what subtracting the batch's mean of q (a baseline) or standardising q inside the loss does",
    "single nan": "that is what dividing by the standard deviation of q over one sample does",
    "quadratic": "(N, 1) times (N,) broadcasts to (N, N): make both shapes (N,)",
}


def _sizes(probe: Probe) -> Tuple[Tuple[str, int], ...]:
    return (("N", probe.rows), ("A", probe.arrays[0].shape[1]))


def _hints(answers: Answers) -> List[Observation]:
    """What only a softmax policy's gradient shows: its rows sum to zero, and in each row the
    taken action's entry is the one of opposite sign (for q ≠ 0 and three actions or more)."""
    for i in answers.finite:
        mine, correct = answers.pair(i)
        if "logits" not in mine.grads or flat(mine, correct):  # a zero gradient's signs are rounding
            continue
        grad, right = mine.grads["logits"], correct.grads["logits"]
        scale = float(np.max(np.abs(right)))
        sums = grad.sum(axis=1)
        off = [r for r in range(len(grad)) if abs(sums[r]) > 1e-4 * scale]
        if off:
            text = (
                f"row {off[0]} of your dL/dlogits sums to {fmt(sums[off[0]])} (rows counted from 0), but every row of "
                "the correct one sums to 0, since adding a constant to a row of logits changes no probability"
            )
            return [Observation("row sums", text, i)]
        odd, expected = _odd_one_out(grad), _odd_one_out(right)
        moved = [
            r for r in range(len(grad)) if odd[r] is not None and expected[r] is not None and odd[r] != expected[r]
        ]
        if moved:
            r = moved[0]
            text = (
                f"in {'all' if len(moved) == len(grad) else f'{len(moved)} of the'} {len(grad)} rows your gradient singles out another action than the one "
                f"taken: in row {r} (counted from 0) the entry of opposite sign is action {odd[r]}, the correct "
                f"one's is action {expected[r]}, the action taken"
            )
            return [Observation("other action", text, i)]
    return []


def _odd_one_out(grad: np.ndarray) -> List[Optional[int]]:
    """Per row of three or more actions, the one column whose entry has the opposite sign of all
    the others (the taken action's, in the correct gradient (p − onehot(a))·q/N), if there is one."""
    found: List[Optional[int]] = []
    for row in grad:
        signs = np.sign(np.where(np.abs(row) > 1e-9 * np.max(np.abs(row), initial=0.0), row, 0.0))
        plus, minus = np.flatnonzero(signs > 0), np.flatnonzero(signs < 0)
        alone = [side for side, other in ((plus, minus), (minus, plus)) if len(side) == 1 and len(other) >= 2]
        found.append(int(alone[0][0]) if alone else None)
    return found


DIAGNOSTICS = Diagnostics(
    CONTRACT,
    PROBES,
    SUSPECTS,
    _hints,
    unstable="unstable_log",
    inexact="clamped_log_prob",
    sizes=_sizes,
    variations=VARIATIONS,
    meanings=MEANINGS,
)
PART = Part(
    CONTRACT,
    CHECKS,
    make_case,
    solve,
    DIAGNOSTICS,
    stable="Finite and correct with logits up to ±1000 and actions of tiny probability.",
    unstable_advice=(
        "log-probabilities from `log_softmax` (or `cross_entropy`, `Categorical(logits=...)`) stay finite "
        "for any logits, while the log of probabilities and `exp` of raw logits overflow or underflow"
    ),
    sampled_not_zero="q is non-zero, and −log p(a) is zero only when p(a) = 1",
)
EXERCISE = Exercise((PART,), walkthrough="explain.py")
