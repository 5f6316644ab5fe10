"""Test inputs made from seeds, the expected answers, and what counts as equal.

A case is fully determined by (kind, seed, sizes): the same numbers on every
machine, since numpy's Generator is pinned with the rest of the dependencies.
The part makes the arrays (its ``make_case``) and says how far float32 may
stray (its ``solve``); expected answers are computed in float64 from the same
float32 inputs the submission gets, so a correct float32 implementation differs
only by rounding. The kinds are the part's own (its checks name them); the
pseudo-losses have three:

    policy     ordinary inputs, actions sampled from the policy: value and gradient
    confident  a nearly sure policy, actions still sampled from it: the sampled-actions check
    extreme    inputs far out (logits up to 1000, a tiny std, ...): the stability check
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np
import torch

from grader.contract import Contract

RTOL = 1e-4  # relative to the expected value itself; each exercise adds an absolute part (Expected)
# What is called zero next to the reference (negligible): float32 rounding of a sum that cancels
# exactly (probabilities summed over actions) leaves gradients below 3e-7 of the reference's
# largest entry on every case; a loss scaled down by 1e-4 stays ten times above.
ZERO_RTOL = 1e-5


@dataclass(frozen=True)
class Case:
    """One input of the exercise's function: an array per contract argument, in order."""

    kind: str
    seed: int
    hidden: bool
    arrays: Tuple[np.ndarray, ...]
    sizes: Tuple[Tuple[str, int], ...]  # ("N", 64), ("A", 4): what the seed was drawn for

    @property
    def label(self) -> str:
        """How feedback names the case; a hidden case's seed and shape stay secret."""
        if self.hidden:
            return "a hidden case"
        shown = ", ".join(f"{name}={size}" for name, size in self.sizes)
        return f"public case seed {self.seed} ({shown})"

    @property
    def rows(self) -> int:
        """N, the batch size: the first size."""
        return self.sizes[0][1]


MakeCase = Callable[[str, int, Tuple[int, ...], bool], Case]  # kind, seed, sizes, hidden -> case


def make_cases(spec: Mapping[str, list], make: MakeCase, hidden: bool, kinds: Sequence[str]) -> Dict[str, List[Case]]:
    """Cases per kind, in the order of kinds, from {kind: [[seed, size, ...], ...]} (a kind not in kinds
    is an error: a misspelt kind would silently grade nothing)."""
    unknown = set(spec) - set(kinds) - {"about"}
    if unknown:
        raise ValueError(f"cases of unknown kinds {sorted(unknown)}; the part's are {', '.join(kinds)}")
    return {
        kind: [make(kind, int(seed), tuple(sizes), hidden) for seed, *sizes in spec.get(kind, [])] for kind in kinds
    }


@dataclass(frozen=True)
class Expected:
    """The reference's answer for one case, in float64, and how far float32 may stray from it:
    RTOL of the expected number plus an absolute part the exercise computes from the case (the
    size of the terms the function sums, float32's rounding of its inputs). A loss's value is one
    number with gradients; an array function's, an array (atol per entry or one for all) without."""

    value: Union[float, np.ndarray]
    grads: Mapping[str, np.ndarray] = field(default_factory=dict)  # by differentiable argument, in order
    atol: Union[float, np.ndarray] = 0.0
    grad_atol: Mapping[str, float] = field(default_factory=dict)

    @property
    def loss(self) -> float:
        """A loss's value (the first entry of an array function's, which feedback never asks for)."""
        return float(np.asarray(self.value).reshape(-1)[0])

    @property
    def shape(self) -> Tuple[int, ...]:
        return np.shape(self.value)

    def loss_matches(self, value: Optional[float]) -> bool:
        if value is None or not np.isfinite(value):
            return False
        return abs(value - self.loss) <= RTOL * abs(self.loss) + float(np.max(self.atol))

    def value_matches(self, value: Optional[np.ndarray]) -> bool:
        """An array function's whole answer: the expected shape, every entry finite and within tolerance."""
        if value is None or np.shape(value) != self.shape or not np.all(np.isfinite(value)):
            return False
        return bool(np.all(self.misses(value) <= 0))

    def misses(self, value: np.ndarray) -> np.ndarray:
        """How far past its tolerance each entry of an answer of the expected shape is (≤ 0: within)."""
        expected = np.asarray(self.value, np.float64)
        return np.abs(value - expected) - (RTOL * np.abs(expected) + self.atol)

    def grad_matches(self, grads: Mapping[str, np.ndarray]) -> bool:
        return all(self.grad_matches_one(name, grads.get(name)) for name in self.grads)

    def grad_matches_one(self, name: str, grad: Optional[np.ndarray]) -> bool:
        expected = self.grads[name]
        if grad is None or grad.shape != expected.shape or not np.all(np.isfinite(grad)):
            return False
        return bool(np.all(np.abs(grad - expected) <= RTOL * np.abs(expected) + self.grad_atol[name]))


def negligible(values, reference) -> bool:
    """Whether values are zero as far as the reference can tell: finite, and every entry at most
    ZERO_RTOL of the reference's largest in size (a zero reference: only an exact zero is)."""
    values, reference = np.asarray(values, np.float64), np.asarray(reference, np.float64)
    scale = float(np.max(np.abs(reference), initial=0.0))
    return bool(np.all(np.isfinite(values)) and np.all(np.abs(values) <= ZERO_RTOL * scale))


CaseSet = Dict[str, List[Tuple[Case, Expected]]]  # per kind, each case with its expected answer


def float64_answer(
    function: Callable, contract: Contract, case: Case
) -> Tuple[float, Dict[str, np.ndarray], Tuple[torch.Tensor, ...]]:
    """A trusted loss's value and gradients in float64 for the case's float32 inputs, and the
    float64 tensors it was given (detached), for the exercise to size its tolerances from."""
    tensors = tuple(
        torch.tensor(array, dtype=torch.float64, requires_grad=arg.differentiable)
        if arg.dtype == "float32"
        else torch.tensor(array)
        for arg, array in zip(contract.arguments, case.arrays)
    )
    loss = function(*tensors)
    wrt = [t for t, arg in zip(tensors, contract.arguments) if arg.differentiable]
    found = torch.autograd.grad(loss, wrt, allow_unused=True)
    grads = {
        name: (np.zeros(t.shape) if g is None else g.numpy()) for name, t, g in zip(contract.differentiable, wrt, found)
    }
    return float(loss.detach()), grads, tuple(t.detach() for t in tensors)
