"""Name the student's mistake: compare their answers on probe inputs with the catalog's.

How a match is made
-------------------
The probes are small hand-made inputs chosen by the exercise so that every
catalog entry answers differently (``Diagnostics.probes``). A *suspect* is one
way of being wrong, with the numbers it produces on every probe: a catalog
entry, the reference itself, or either combined with the changes the exercise
lists (an output scale, a transformed input; ``Diagnostics.suspects`` builds
them once per process from the trusted catalog, with ``answer_all`` and
``scaled``).

Three mistakes are properties rather than numbers, read off the answers before
matching (``PROPERTY_MISTAKES``: an input changed, a non-scalar result whose
mean is compared instead, a value with no gradient); a fourth,
``Diagnostics.unstable``, is a match on the ordinary probes that fails on the
extreme ones. A student matches a suspect when value and gradients agree on
every ordinary probe; the simplest match (fewest mistakes) wins. Suspects with
identical numbers (the catalog's ``SAME_NUMBERS``) are told apart by whether an
N × N intermediate tensor appears on a traced probe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from grader.checks.answer import Answer
from grader.checks.oracle import LocalOracle, Oracle, Outcome
from grader.contract import Contract
from grader.text import fmt, fmt_array

PROPERTY_MISTAKES = ("mutates_inputs", "not_scalar", "not_differentiable")  # every catalog has these IDs
RTOL, ATOL = 1e-3, 1e-5  # matching a student to a suspect: loose, since suspects are computed in float32


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
    arrays = tuple(np.asarray(v, arg.dtype) for arg, v in zip(contract.arguments, values, strict=True))
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


@dataclass(frozen=True)
class Suspect:
    ids: FrozenSet[str]  # the mistakes this suspect stands for; empty: the reference
    sigs: Tuple[Optional[Sig], ...]
    same_numbers: bool = False  # has a twin with identical numbers: compare `quadratic` too


@dataclass(frozen=True)
class Diagnosis:
    mistakes: Tuple[str, ...]
    feedback: str  # markdown: what is wrong and the numbers that show it ("" if nothing)


Hints = Callable[[Sequence[Optional[Sig]], Suspect], List[str]]  # student's sigs, reference -> observations


@dataclass(frozen=True)
class Diagnostics:
    """An exercise's side of the diagnosis."""

    contract: Contract
    probes: Tuple[Probe, ...]
    suspects: Callable[[Callable, Sequence, Sequence[FrozenSet[str]]], List[Suspect]]  # reference, catalog, twins
    hints: Hints  # what the probes show when no catalog entry fits
    unstable: str  # the catalog ID of a loss right on the ordinary probes and wrong on an extreme one

    @property
    def ordinary(self) -> List[int]:
        return [i for i, p in enumerate(self.probes) if not p.extreme]

    @property
    def extreme(self) -> List[int]:
        return [i for i, p in enumerate(self.probes) if p.extreme]


def close(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is b
    if not (np.isfinite(a) and np.isfinite(b)):
        return not np.isfinite(a) and not np.isfinite(b)
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) + ATOL


def _close_grad(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(finite, np.isfinite(a)) or not np.array_equal(finite, np.isfinite(b)):
        return False
    return bool(np.all(np.abs(a - b)[finite] <= RTOL * np.maximum(np.abs(a), np.abs(b))[finite] + ATOL))


def agrees(student: Optional[Sig], suspect: Optional[Sig], compare_quadratic: bool = False) -> bool:
    if student is None or suspect is None:
        return student is suspect
    if not close(student.value, suspect.value):
        return False
    for name in student.grads.keys() & suspect.grads.keys():
        if not _close_grad(student.grads[name], suspect.grads[name]):
            return False
    return not compare_quadratic or student.quadratic == suspect.quadratic


# --- suspects: computed once per process from the trusted catalog ---------------------------


def answer_all(
    function: Callable, diagnostics: Diagnostics, transform: Optional[Callable] = None
) -> Tuple[Optional[Sig], ...]:
    """A trusted function's signature on every probe; transform(arrays) changes the inputs first."""
    oracle = LocalOracle(function, diagnostics.contract)
    sigs = []
    for probe in diagnostics.probes:
        arrays = probe.arrays if transform is None else transform(probe.arrays)
        sigs.append(signature(oracle.call(*arrays, trace=probe.trace), probe))
    return tuple(sigs)


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


# --- diagnosis ------------------------------------------------------------------------------


def ask_probes(oracle: Oracle, diagnostics: Diagnostics) -> List[Outcome]:
    return [oracle.call(*p.arrays, trace=p.trace) for p in diagnostics.probes]


def diagnose(
    outcomes: Sequence[Outcome], diagnostics: Diagnostics, suspects: Sequence[Suspect], catalog: Mapping[str, object]
) -> Diagnosis:
    """Mistake IDs and feedback from the student's answers to the probes."""
    explain = _Explainer(diagnostics, outcomes, suspects[0], catalog)
    properties = _properties(outcomes)
    ordinary = diagnostics.ordinary
    match = None if any(explain.sigs[i] is None for i in ordinary) else _best_match(explain.sigs, suspects, ordinary)
    if match is None:
        return explain.unexplained(properties)
    found = set(match.ids) | set(properties)
    if any(not agrees(explain.sigs[i], match.sigs[i]) for i in diagnostics.extreme):
        found.add(diagnostics.unstable)
    ordered = tuple(m for m in catalog if m in found)
    return Diagnosis(ordered, explain.named(ordered))


def _best_match(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], ordinary: List[int]) -> Optional[Suspect]:
    matches = [s for s in suspects if all(agrees(sigs[i], s.sigs[i], s.same_numbers) for i in ordinary)]
    return min(matches, key=lambda s: len(s.ids)) if matches else None


def _properties(outcomes: Sequence[Outcome]) -> List[str]:
    answers = [o for o in outcomes if isinstance(o, Answer) and o.error is None]
    found = []
    if any(a.mutated for a in answers):
        found.append("mutates_inputs")
    if any(a.tensor and a.shape not in (None, ()) and 0 not in a.shape for a in answers):  # empty: nothing to average
        found.append("not_scalar")
    if any(a.value is not None and not a.connected and (not a.tensor or a.shape == ()) for a in answers):
        found.append("not_differentiable")
    return found


class _Explainer:
    """The feedback of one diagnosis: the named mistakes' texts and the numbers that show them."""

    def __init__(self, diagnostics: Diagnostics, outcomes: Sequence[Outcome], reference: Suspect, catalog):
        self.diagnostics = diagnostics
        self.outcomes = outcomes
        self.sigs = [signature(o, p) for o, p in zip(outcomes, diagnostics.probes)]
        self.reference = reference
        self.catalog = catalog

    def named(self, ids: Sequence[str]) -> str:
        if not ids:
            return ""
        evidence = self.evidence(unstable=self.diagnostics.unstable in ids)
        blocks = [f"**{self.catalog[i].title}** (`{i}`)\n\n{self.catalog[i].explanation}" for i in ids]
        return "\n\n".join(blocks + ([evidence] if evidence else []))

    def evidence(self, unstable: bool = False) -> str:
        """The smallest probe where the student's answer differs from the reference's, in numbers."""
        ordinary, probes = self.diagnostics.ordinary, self.diagnostics.probes
        order = sorted(self.diagnostics.extreme if unstable else ordinary, key=lambda i: probes[i].size)
        for i in order + [j for j in ordinary if j not in order]:
            student, expected, outcome = self.sigs[i], self.reference.sigs[i], self.outcomes[i]
            mutated = isinstance(outcome, Answer) and outcome.mutated
            if agrees(student, expected) and not mutated and student is not None and student.grads:
                continue
            assert expected is not None  # the reference answers every probe
            return self._numbers(probes[i], outcome, student, expected)
        return ""

    def _numbers(self, probe: Probe, outcome: Outcome, student: Optional[Sig], expected: Sig) -> str:
        assert expected.value is not None and expected.grads  # the reference's loss has both
        lines = [f"Evidence: for {probe.describe(self.diagnostics.contract)}:"]
        if student is None:
            lines.append(f"- expected loss {fmt(expected.value)}; your function gave no value.")
            return "\n".join(lines)
        assert student.value is not None  # a signature always has a value
        lines.append(f"- expected loss {fmt(expected.value)}, yours {fmt(student.value)}")
        if isinstance(outcome, Answer) and outcome.shape not in (None, ()):
            lines[-1] += f" (the mean of the shape {tuple(outcome.shape)} tensor you returned)"
        for name, grad in expected.grads.items():
            mine = student.grads.get(name)
            if mine is None:
                lines.append(f"- expected dL/d{name}[0] = {fmt_array(grad[0])}; yours has no gradient")
            else:
                zero = " (zero everywhere)" if not np.any(mine) else ""
                lines.append(f"- expected dL/d{name}[0] = {fmt_array(grad[0])}, yours {fmt_array(mine[0])}{zero}")
        if isinstance(outcome, Answer) and outcome.mutated:
            lines.append(f"- after the call, {', '.join(f'`{n}`' for n in outcome.mutated)} had changed")
        return "\n".join(lines)

    def unexplained(self, properties: List[str]) -> Diagnosis:
        """No catalog entry fits: still say which property is off, with the smallest failing input."""
        ids = tuple(m for m in self.catalog if m in properties)
        if not any(s is not None for s in self.sigs):
            return Diagnosis(ids, "")
        notes = self.diagnostics.hints(self.sigs, self.reference)
        evidence = self.evidence()
        if not notes and not evidence:
            return Diagnosis(ids, "")
        head = "**Not one of the known mistakes.** What the probes show:"
        text = "\n".join([head] + [f"- {n}" for n in notes]) + (f"\n\n{evidence}" if evidence else "")
        return Diagnosis(ids, self.named(ids) + ("\n\n" if ids else "") + text)
