"""What the diagnosis works with: probes, signatures, suspects, an exercise's Diagnostics.

A *signature* (``Sig``) is what matching reads of one answer: the loss and its
gradients. Agreement treats non-finite numbers as data: NaN agrees with NaN and
an infinity with the same infinity, never with a number, so a loss that is NaN
for a single sample matches only a suspect that is NaN there too. ``Answers``
pairs a student's signatures with the reference's for the observations
(grader.naming.observations); "zero" there is relative to the reference's own
size on the same probe.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, FrozenSet, List, Literal, Mapping, Optional, Sequence, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import Outcome
from grader.contract import Contract
from grader.naming.variants import SuspectRules
from grader.text import fmt_array

RTOL, ATOL = 1e-3, 1e-5  # matching a student to a suspect: loose, since suspects are computed in float32
ZERO = 1e-6  # "zero" is relative to the reference's own scale on the same probe
Sizes = Tuple[Tuple[str, int], ...]  # ("N", 6), ("A", 4): a probe's sizes, the batch's first


@dataclass(frozen=True)
class Probe:
    name: str
    arrays: Tuple[np.ndarray, ...]  # one per contract argument, of its dtype
    extreme: bool = False
    trace: bool = False

    @property
    def size(self) -> int:
        return self.arrays[0].size

    @property
    def rows(self) -> int:
        return len(self.arrays[0])

    def describe(self, contract: Contract) -> str:
        """The probe's inputs as feedback shows them: at most three rows of each."""
        parts = []
        for arg, array in zip(contract.arguments, self.arrays):
            if array.ndim == 0:  # a number, such as a discount
                parts.append(f"{arg.label} = {fmt_array([float(array)])[1:-1]}")
                continue
            if array.ndim == 1:
                parts.append(f"{arg.label} {fmt_array(array.tolist())}")
                continue
            rows = [[round(float(x), 2) for x in row] for row in array[:3]]
            shown = str(rows).replace(".0,", ",").replace(".0]", "]")
            more = f" … ({len(array)} rows)" if len(array) > 3 else ""
            parts.append(f"{arg.label} {shown}{more}")
        return ", ".join(parts)


def make_probe(contract: Contract, name: str, *values, **flags) -> Probe:
    """A probe from plain numbers, cast to the contract's dtypes."""
    arrays = tuple(arg.array(v) for arg, v in zip(contract.arguments, values, strict=True))
    return Probe(name, arrays, **flags)


@dataclass(frozen=True)
class Sig:
    """What matching looks at in one answer."""

    value: Optional[float]  # the loss (the mean, if the result was not a scalar)
    grads: Mapping[str, np.ndarray]  # dL/d(input), when there are any
    quadratic: bool  # an N x N intermediate appeared (traced probes only)

    @property
    def flat(self) -> bool:
        """No gradient, or a zero one."""
        return all(np.max(np.abs(g), initial=0.0) <= ATOL for g in self.grads.values())


def signature(outcome: Outcome, probe: Probe) -> Optional[Sig]:
    if not isinstance(outcome, Answer) or outcome.error is not None or outcome.value is None or not outcome.value.size:
        return None  # an empty tensor has no value to compare either
    square = probe.rows * probe.rows
    quadratic = outcome.largest is not None and outcome.largest >= square > max(a.size for a in probe.arrays)
    return Sig(float(np.mean(outcome.value)), outcome.grads, quadratic)


def scaled(sigs: Sequence[Optional[Sig]], factors: Sequence[float]) -> Tuple[Optional[Sig], ...]:
    """The signatures of the same function with its output multiplied by factors[i] on probe i."""
    return tuple(
        None
        if sig is None
        else Sig(
            None if sig.value is None else sig.value * c,
            {name: grad * c for name, grad in sig.grads.items()},
            sig.quadratic,
        )
        for sig, c in zip(sigs, factors)
    )


def close(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is b
    if not (np.isfinite(a) and np.isfinite(b)):
        return bool(np.isnan(a) and np.isnan(b)) or a == b  # NaN with NaN, an infinity with the same
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) + ATOL


def close_grad(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    both = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(a[~both], b[~both], equal_nan=True):  # the same NaNs and infinities, where
        return False
    return bool(np.all(np.abs(a - b)[both] <= RTOL * np.maximum(np.abs(a), np.abs(b))[both] + ATOL))


def agrees(student: Optional[Sig], suspect: Optional[Sig], compare_quadratic: bool = False) -> bool:
    if student is None or suspect is None:
        return student is suspect
    # A suspect without a value (a loss of fresh random draws) is matched on its gradients alone,
    # so never where they are all zero or the answer has none: nothing telling would be compared.
    if suspect.value is not None and not close(student.value, suspect.value):
        return False
    common = student.grads.keys() & suspect.grads.keys()
    if suspect.value is None and (not common or suspect.flat):
        return False
    for name in common:
        if not close_grad(student.grads[name], suspect.grads[name]):
            return False
    return not compare_quadratic or student.quadratic == suspect.quadratic


@dataclass(frozen=True)
class Variation:
    """Two probes that differ in one argument only."""

    probe: str  # the varied probe's name
    base: str  # the probe it varies
    argument: str  # the contract argument that differs
    change: str  # how feedback says it, after "when": "q becomes 3q − 2"
    ignored: str = ""  # what a loss that does not change under it usually does, as a clause
    offset: str = ""  # what a wrong part that does not change under it usually is, as a clause


# The kinds of observation the engine makes whatever the exercise, which its Diagnostics.meanings may
# key; the others are "ratio F" and those its variations name (observations.meaning_keys), and its own.
Kind = Literal[
    "agrees where", "constant", "direction", "not finite", "offset", "quadratic", "raised",
    "ran like", "rows", "single nan", "single zero", "varies", "zero gradient",
]  # fmt: skip


@dataclass(frozen=True)
class Observation:
    kind: str  # a Kind, "ratio F", "ignores ARG", "extra term without ARG", or one of the exercise's own
    text: str  # one sentence with its numbers
    probe: int  # the smallest probe that shows it
    meaning: str = ""  # what it usually means, when the observation itself knows (a Variation's words)

    @classmethod
    def of(cls, kind: Kind, text: str, probe: int) -> Observation:
        """An observation of one of the engine's own kinds, its spelling checked by mypy."""
        return cls(kind, text, probe)


@dataclass(frozen=True)
class Answers:
    """The student's and the reference's signatures on the probes, and what the probes are."""

    probes: Sequence[Probe]
    mine: Sequence[Optional[Sig]]
    correct: Sequence[Optional[Sig]]  # the reference answers every probe
    contract: Contract
    sizes: Callable[[Probe], Sizes]

    @property
    def ordinary(self) -> List[int]:
        """The ordinary probes, smallest first."""
        return sorted((i for i, p in enumerate(self.probes) if not p.extreme), key=lambda i: (self.probes[i].size, i))

    @property
    def answered(self) -> List[int]:
        return [i for i in self.ordinary if self.mine[i] is not None]

    @property
    def finite(self) -> List[int]:
        return [i for i in self.answered if finite(self.mine[i])]

    def on(self, count: int) -> str:
        """Where a claim holds, with how many probes answered."""
        total = len(self.ordinary)
        if count == total:
            return f"on all {count} test inputs"
        if count == 1:
            return f"on the only test input that gave a number (of {total})"
        return f"on each of the {count} test inputs that gave a number (of {total})"

    def gradients(self) -> str:
        """How a claim about every gradient the exercise asks for names them: "gradient", or
        "gradients (dL/dmean and dL/dlog_std)"."""
        names = self.contract.differentiable
        if len(names) == 1:
            return "gradient"
        return "gradients (" + " and ".join(f"dL/d{n}" for n in names) + ")"

    def lead(self) -> Tuple[str, str]:
        """The first differentiable argument: its name and how feedback calls it."""
        name = self.contract.differentiable[0]
        return name, next(a.label for a in self.contract.arguments if a.name == name)

    def pair(self, i: int) -> Tuple[Sig, Sig]:
        mine, correct = self.mine[i], self.correct[i]
        assert mine is not None and correct is not None  # callers pick answered probes
        return mine, correct


def finite(sig: Optional[Sig]) -> bool:
    return (
        sig is not None
        and sig.value is not None
        and bool(np.isfinite(sig.value))
        and all(np.all(np.isfinite(g)) for g in sig.grads.values())
    )


def scale(sig: Sig) -> float:
    assert sig.value is not None
    return max([abs(sig.value)] + [float(np.max(np.abs(g), initial=0.0)) for g in sig.grads.values()])


def zero(x: float, scale: float) -> bool:
    return abs(x) <= ZERO * scale


def flat(mine: Sig, correct: Sig) -> bool:
    """The student's gradient is zero (or absent) relative to the correct one's size."""
    return all(zero(float(np.max(np.abs(g), initial=0.0)), scale(correct)) for g in mine.grads.values())


@dataclass(frozen=True)
class Suspect:
    ids: FrozenSet[str]  # the mistakes this suspect stands for; empty: the reference
    sigs: Tuple[Optional[Sig], ...]
    same_numbers: bool = False  # has a twin with identical numbers: compare `quadratic` too


@dataclass(frozen=True)
class Diagnosis:
    mistakes: Tuple[str, ...]
    feedback: str  # markdown: what is wrong and the numbers that show it ("" if nothing)
    possible: FrozenSet[str] = frozenset()  # of the mistakes, look-alikes nothing told apart: each only possibly


Hints = Callable[[Answers], List[Observation]]  # the exercise's own observations, beside the generic ones


def _rows_only(probe: Probe) -> Sizes:
    return (("rows", probe.rows),)


@dataclass(frozen=True)
class Diagnostics:
    """An exercise's side of the diagnosis."""

    contract: Contract
    probes: Tuple[Probe, ...]
    suspects: SuspectRules  # which catalog entries are suspects, and what varies them
    hints: Hints  # what the probes show when no catalog entry fits, in the exercise's terms
    unstable: str  # the catalog ID of a loss right on the ordinary probes and not finite on an extreme one
    inexact: str = ""  # ... and finite but wrong on an extreme one (if empty: unstable as well)
    sizes: Callable[[Probe], Sizes] = _rows_only  # named sizes of a probe, the batch first
    variations: Tuple[Variation, ...] = ()  # which probes vary which, for the observations
    meanings: Mapping[str, str] = field(default_factory=dict)  # Observation.kind -> what it usually means

    @property
    def ordinary(self) -> List[int]:
        return [i for i, p in enumerate(self.probes) if not p.extreme]

    @property
    def extreme(self) -> List[int]:
        return [i for i, p in enumerate(self.probes) if p.extreme]


def fitting(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int]) -> List[Suspect]:
    return [s for s in suspects if all(agrees(sigs[i], s.sigs[i], s.same_numbers) for i in probes)]


IN_PLACE = "a leaf Variable that requires grad is being used in an in-place operation"  # torch's refusal


def mutates(answer: Answer) -> bool:
    """An input changed in place, or an attempt at it on a differentiable input that torch refused."""
    return bool(answer.mutated) or IN_PLACE in (answer.error or "")


def non_scalar(answer: Answer) -> bool:
    return answer.tensor and answer.shape not in (None, ()) and 0 not in answer.shape  # empty: nothing to average


def detached(answer: Answer) -> bool:
    return answer.value is not None and not answer.connected and (not answer.tensor or answer.shape == ())


def by_size(probes: Sequence[Probe], indices: Sequence[int]) -> List[int]:
    return sorted(indices, key=lambda i: (probes[i].size, i))
