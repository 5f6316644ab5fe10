"""Test inputs made from seeds, the expected answers, and what counts as equal.

A case is fully determined by (kind, seed, N, A): the same numbers on every
machine, since numpy's Generator is pinned with the rest of the dependencies.
Expected answers are computed in float64 from the same float32 inputs the
submission gets, so a correct float32 implementation differs only by rounding.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import numpy as np
import torch

KINDS = ("policy", "confident", "extreme")
RTOL = 1e-4  # relative to the size of the loss's own terms, see Expected.loss_matches
GRAD_ATOL = 1e-5  # relative to the largest gradient entry
_LOGIT_SCALE = {"policy": 2.0, "confident": 4.0}
EXTREME_LOGIT = 1000.0
_EPS32 = 4 * float(np.finfo(np.float32).eps)  # a few roundings of float32 per log-softmax


@dataclass(frozen=True)
class Case:
    """One input of pseudo_loss: logits (N, A) float32, actions (N,) int64, q_values (N,) float32."""

    kind: str
    seed: int
    hidden: bool
    logits: np.ndarray
    actions: np.ndarray
    q_values: np.ndarray

    @property
    def label(self) -> str:
        """How feedback names the case; a hidden case's seed and shape stay secret."""
        if self.hidden:
            return "a hidden case"
        n, a = self.logits.shape
        return f"public case seed {self.seed} (N={n}, A={a})"


def make_case(kind: str, seed: int, n: int, a: int, hidden: bool = False) -> Case:
    """Build the case of this kind and seed; 'extreme' actions are uniform, the others sampled."""
    if kind not in KINDS or not (n >= 1 and a >= 2):
        raise ValueError(f"bad case {kind} {seed} {n} {a}")
    rng = np.random.default_rng(seed)
    if kind == "extreme":
        logits = rng.uniform(-EXTREME_LOGIT, EXTREME_LOGIT, size=(n, a)).astype(np.float32)
        actions = rng.integers(0, a, size=n)
    else:
        logits = (rng.normal(size=(n, a)) * _LOGIT_SCALE[kind]).astype(np.float32)
        actions = sample_actions(logits, rng)
    q_values = rng.normal(size=n).astype(np.float32)
    return Case(kind, seed, hidden, logits, actions.astype(np.int64), q_values)


def sample_actions(logits: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """One action per row drawn from softmax(logits), as the policy itself would."""
    shifted = logits.astype(np.float64) - logits.max(axis=1, keepdims=True)
    probs = np.exp(shifted)
    cumulative = np.cumsum(probs / probs.sum(axis=1, keepdims=True), axis=1)
    draws = rng.random((len(logits), 1))
    return np.minimum((cumulative < draws).sum(axis=1), logits.shape[1] - 1)


def load_cases(path: Path, hidden: bool, key: Optional[str] = None) -> Dict[str, List[Case]]:
    """Cases per kind from a JSON file of {kind: [[seed, N, A], ...]} (under `key` if given)."""
    spec = json.loads(path.read_text())
    if key is not None:
        spec = spec[key]
    return {kind: [make_case(kind, seed, n, a, hidden=hidden) for seed, n, a in spec.get(kind, [])] for kind in KINDS}


@dataclass(frozen=True)
class Expected:
    """The reference's answer for one case, in float64, and how far float32 may stray from it."""

    loss: float
    grad: np.ndarray
    term_scale: float  # mean |log pi(a_i) * q_i|: the size of what the loss sums
    loss_noise: float  # float32 rounding of log-softmax: eps * (1 + |largest logit|) * |q|, averaged
    grad_noise: float  # the same for one gradient entry

    def loss_matches(self, value: Optional[float]) -> bool:
        """Equal up to RTOL of the terms' size (float32 summation of N terms of mixed sign
        can lose digits of the sum, never of the terms) plus float32's own rounding."""
        if value is None or not np.isfinite(value):
            return False
        return abs(value - self.loss) <= RTOL * (abs(self.loss) + self.term_scale) + self.loss_noise

    def grad_matches(self, grad: Optional[np.ndarray]) -> bool:
        if grad is None or grad.shape != self.grad.shape or not np.all(np.isfinite(grad)):
            return False
        atol = GRAD_ATOL * float(np.max(np.abs(self.grad))) + self.grad_noise
        return bool(np.all(np.abs(grad - self.grad) <= RTOL * np.abs(self.grad) + atol))


CaseSet = Dict[str, List[Tuple[Case, Expected]]]  # per kind, each case with its expected answer


def solve(loss_fn: Callable, case: Case) -> Expected:
    """A trusted loss's value and gradient in float64, for the case's float32 inputs."""
    logits = torch.tensor(case.logits, dtype=torch.float64, requires_grad=True)
    actions = torch.tensor(case.actions)
    q_values = torch.tensor(case.q_values, dtype=torch.float64)
    loss = loss_fn(logits, actions, q_values)
    (grad,) = torch.autograd.grad(loss, logits)
    log_pi = torch.log_softmax(logits.detach(), dim=-1).gather(1, actions[:, None]).squeeze(1)
    scale = float((log_pi * q_values).abs().mean())
    rounding = _EPS32 * (1 + np.abs(case.logits).max(axis=1)) * np.abs(case.q_values)
    n = len(case.q_values)
    return Expected(float(loss.detach()), grad.numpy(), scale, float(rounding.mean()), float(rounding.max()) / n)
