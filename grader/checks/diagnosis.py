"""Name the student's mistake: compare their answers on probe inputs with the catalog's.

How a match is made
-------------------
The probes are small hand-made inputs (``PROBES``) chosen so that every catalog
entry answers differently: A from 2 to 4, N from 1 to 24, q not standardised and
of mixed sign (on standardised q several mistakes all collapse to about zero),
actions that are not the argmax, one probe with logits of ±500.

A *suspect* is one way of being wrong, with the numbers it produces on every
probe: a catalog entry (or the reference itself), possibly combined with

- an output scale: ×−1 (``sign_flipped``), ×N (``sum_reduction``), ×−N (both);
- q standardised inside the loss (``normalized_inside``, with either std).

Four mistakes are properties rather than numbers, read off the answers before
matching: ``mutates_inputs`` (an input changed), ``not_scalar`` (the mean of a
non-scalar result is compared instead), ``not_differentiable`` (only values are
compared) and ``unstable_log`` (matches a suspect on ordinary probes but not at
±500). A student matches a suspect when value and gradient agree on every
ordinary probe; the simplest match (fewest mistakes) wins. ``broadcast`` and
``weight_after_reduction`` compute the very same numbers; they are told apart by
whether an N × N intermediate tensor appears on the traced probe.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, FrozenSet, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from grader.checks.answer import Answer
from grader.checks.oracle import LocalOracle, Oracle, Outcome
from grader.text import fmt, fmt_array

PROPERTY_MISTAKES = ("mutates_inputs", "not_scalar", "not_differentiable", "unstable_log")
# Mistakes that build an (N, A) tensor: reducing it with .sum(-1).mean() instead of .mean()
# multiplies by A and is still the same mistake.
_PER_ACTION = ("sum_over_actions", "all_actions_weighted")
_RTOL, _ATOL = 1e-3, 1e-5


@dataclass(frozen=True)
class Probe:
    name: str
    logits: np.ndarray  # (N, A) float32
    actions: np.ndarray  # (N,) int64
    q_values: np.ndarray  # (N,) float32
    extreme: bool = False
    trace: bool = False

    @property
    def size(self) -> int:
        return self.logits.size

    def describe(self) -> str:
        logits = [[float(x) for x in row] for row in self.logits]
        shown = str([[round(x, 2) for x in row] for row in logits[:3]]).replace(".0,", ",").replace(".0]", "]")
        more = f" … ({len(logits)} rows)" if len(logits) > 3 else ""
        return (
            f"logits {shown}{more}, actions {fmt_array(self.actions.tolist())}, q {fmt_array(self.q_values.tolist())}"
        )


def _probe(name: str, logits, actions, q_values, **flags) -> Probe:
    return Probe(
        name, np.asarray(logits, np.float32), np.asarray(actions, np.int64), np.asarray(q_values, np.float32), **flags
    )


def _random_probe(name: str, seed: int, n: int, a: int, **flags) -> Probe:
    """Actions in {0, 1} only: the two-action shortcut is then defined the same way however written."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(size=(n, a)) * 1.5
    actions = rng.integers(0, 2, size=n)
    q_values = rng.normal(size=n) + 0.7  # mean far from zero, signs mixed
    return _probe(name, logits, actions, q_values, **flags)


def _make_probes() -> Tuple[Probe, ...]:
    mixed = _random_probe("mixed", 7, 6, 4)
    return (
        _probe("tiny", [[2.0, 0.0]], [1], [3.0]),
        _probe("three", [[1.0, 0.5, -1.0], [0.0, 2.0, 1.0], [-0.5, 0.3, 0.2]], [1, 0, 0], [2.0, -1.0, 0.5]),
        _random_probe("pair", 11, 5, 2),
        mixed,
        _probe("mixed, other actions", mixed.logits, 1 - mixed.actions, mixed.q_values),
        _probe("mixed, q rescaled", mixed.logits, mixed.actions, 3 * mixed.q_values - 2),
        _random_probe("batch", 13, 24, 3, trace=True),
        _probe(
            "extreme",
            [[500.0, -500.0, 0.0], [-400.0, 400.0, 100.0], [3.0, 2.0, -700.0]],
            [1, 0, 1],
            [1.0, -2.0, 0.5],
            extreme=True,
        ),
    )


PROBES = _make_probes()
_ORDINARY = [i for i, p in enumerate(PROBES) if not p.extreme]
_EXTREME = [i for i, p in enumerate(PROBES) if p.extreme]


@dataclass(frozen=True)
class Sig:
    """What matching looks at in one answer."""

    value: Optional[float]  # the loss (the mean, if the result was not a scalar)
    grad: Optional[np.ndarray]  # dL/dlogits, when there is one
    quadratic: bool  # an N x N intermediate appeared (traced probes only)


def signature(outcome: Outcome, probe: Probe) -> Optional[Sig]:
    if not isinstance(outcome, Answer) or outcome.error is not None or outcome.value is None or not outcome.value.size:
        return None  # an empty tensor has no value to compare either
    n = probe.logits.shape[0]
    value = float(np.mean(outcome.value))
    quadratic = outcome.largest is not None and n > probe.logits.shape[1] and outcome.largest >= n * n
    return Sig(value, outcome.grad_logits, quadratic)


@dataclass(frozen=True)
class Suspect:
    ids: FrozenSet[str]  # the mistakes this suspect stands for; empty: the reference
    sigs: Tuple[Optional[Sig], ...]
    same_numbers: bool = False  # has a twin with identical numbers: compare `quadratic` too


@dataclass(frozen=True)
class Diagnosis:
    mistakes: Tuple[str, ...]
    feedback: str  # markdown: what is wrong and the numbers that show it ("" if nothing)


def _close(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is b
    if not (np.isfinite(a) and np.isfinite(b)):
        return not np.isfinite(a) and not np.isfinite(b)
    return abs(a - b) <= _RTOL * max(abs(a), abs(b)) + _ATOL


def _close_grad(a: np.ndarray, b: np.ndarray) -> bool:
    if a.shape != b.shape:
        return False
    finite = np.isfinite(a) & np.isfinite(b)
    if not np.array_equal(finite, np.isfinite(a)) or not np.array_equal(finite, np.isfinite(b)):
        return False
    return bool(np.all(np.abs(a - b)[finite] <= _RTOL * np.maximum(np.abs(a), np.abs(b))[finite] + _ATOL))


def agrees(student: Optional[Sig], suspect: Optional[Sig], compare_quadratic: bool = False) -> bool:
    if student is None or suspect is None:
        return student is suspect
    if not _close(student.value, suspect.value):
        return False
    if student.grad is not None and suspect.grad is not None and not _close_grad(student.grad, suspect.grad):
        return False
    return not compare_quadratic or student.quadratic == suspect.quadratic


# --- suspects: computed once per process from the trusted catalog ---------------------------


def _standardize(q: np.ndarray, ddof: int) -> np.ndarray:
    q = q.astype(np.float64)
    if q.size <= ddof:  # one sample has no unbiased std: NaN, as in torch
        return np.full(q.shape, np.nan, np.float32)
    return ((q - q.mean()) / (q.std(ddof=ddof) + 1e-8)).astype(np.float32)


def _answer_all(function: Callable, q_transform: Optional[Callable] = None) -> Tuple[Optional[Sig], ...]:
    oracle = LocalOracle(function)
    sigs = []
    for probe in PROBES:
        q = probe.q_values if q_transform is None else q_transform(probe.q_values)
        sigs.append(signature(oracle.call(probe.logits, probe.actions, q, trace=probe.trace), probe))
    return tuple(sigs)


def _scaled(sigs: Sequence[Optional[Sig]], sign: float, by_n: bool, by_a: bool = False) -> Tuple[Optional[Sig], ...]:
    out = []
    for sig, probe in zip(sigs, PROBES):
        n, a = probe.logits.shape
        c = sign * (n if by_n else 1) * (a if by_a else 1)
        out.append(
            None
            if sig is None
            else Sig(
                None if sig.value is None else sig.value * c, None if sig.grad is None else sig.grad * c, sig.quadratic
            )
        )
    return tuple(out)


def build_suspects(reference: Callable, catalog: Sequence, same_numbers: Sequence[FrozenSet[str]]) -> List[Suspect]:
    twins = set().union(*same_numbers) if same_numbers else set()
    bases = [(frozenset(), reference, False)] + [
        (frozenset({m.id}), m.loss, m.id in twins)
        for m in catalog
        if m.id not in PROPERTY_MISTAKES and m.id != "normalized_inside"
    ]
    suspects = []
    for ids, function, twin in bases:
        variants = [(ids, _answer_all(function))]
        for ddof in (0, 1):
            variants.append((ids | {"normalized_inside"}, _answer_all(function, lambda q, d=ddof: _standardize(q, d))))
        by_a = (False, True) if ids & set(_PER_ACTION) else (False,)
        for variant_ids, sigs in variants:
            # The sign of a loss whose gradient is zero anyway is not a mistake worth naming.
            flat = all(sig is None or sig.grad is None or np.max(np.abs(sig.grad)) <= _ATOL for sig in sigs)
            flip = () if flat else ("sign_flipped",)
            for sign, by_n, extra in (
                (1, False, ()),
                (-1, False, flip),
                (1, True, ("sum_reduction",)),
                (-1, True, flip + ("sum_reduction",)),
            ):
                for times_a in by_a:
                    suspects.append(Suspect(variant_ids | set(extra), _scaled(sigs, sign, by_n, times_a), twin))
    return suspects


# --- diagnosis ------------------------------------------------------------------------------


def ask_probes(oracle: Oracle) -> List[Outcome]:
    return [oracle.call(p.logits, p.actions, p.q_values, trace=p.trace) for p in PROBES]


def diagnose(outcomes: Sequence[Outcome], suspects: Sequence[Suspect], catalog: Mapping[str, object]) -> Diagnosis:
    """Mistake IDs and feedback from the student's answers to PROBES."""
    sigs = [signature(outcome, probe) for outcome, probe in zip(outcomes, PROBES)]
    properties = _properties(outcomes)
    reference = suspects[0]
    match = None if any(sigs[i] is None for i in _ORDINARY) else _best_match(sigs, suspects)
    if match is None:
        return _unexplained(outcomes, sigs, reference, properties, catalog)
    found = set(match.ids) | set(properties)
    if any(not agrees(sigs[i], match.sigs[i]) for i in _EXTREME):
        found.add("unstable_log")
    ordered = tuple(m for m in catalog if m in found)
    return Diagnosis(ordered, _explain(ordered, outcomes, sigs, reference, catalog))


def _best_match(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect]) -> Optional[Suspect]:
    matches = [s for s in suspects if all(agrees(sigs[i], s.sigs[i], s.same_numbers) for i in _ORDINARY)]
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


def _explain(ids: Sequence[str], outcomes, sigs, reference: Suspect, catalog) -> str:
    if not ids:
        return ""
    evidence = _evidence(outcomes, sigs, reference, unstable="unstable_log" in ids)
    blocks = [f"**{catalog[i].title}** (`{i}`)\n\n{catalog[i].explanation}" for i in ids]
    return "\n\n".join(blocks + ([evidence] if evidence else []))


def _evidence(outcomes, sigs, reference: Suspect, unstable: bool = False) -> str:
    """The smallest probe where the student's answer differs from the reference's, in numbers."""
    order = sorted(_EXTREME if unstable else _ORDINARY, key=lambda i: PROBES[i].size)
    for i in order + [j for j in _ORDINARY if j not in order]:
        student, expected, outcome = sigs[i], reference.sigs[i], outcomes[i]
        mutated = isinstance(outcome, Answer) and outcome.mutated
        if agrees(student, expected) and not mutated and student is not None and student.grad is not None:
            continue
        assert expected is not None  # the reference answers every probe
        return _numbers(PROBES[i], outcome, student, expected)
    return ""


def _numbers(probe: Probe, outcome: Outcome, student: Optional[Sig], expected: Sig) -> str:
    assert expected.value is not None and expected.grad is not None  # the reference's loss has both
    lines = [f"Evidence: for {probe.describe()}:"]
    if student is None:
        lines.append(f"- expected loss {fmt(expected.value)}; your function gave no value.")
        return "\n".join(lines)
    assert student.value is not None  # a signature always has a value
    lines.append(f"- expected loss {fmt(expected.value)}, yours {fmt(student.value)}")
    if isinstance(outcome, Answer) and outcome.shape not in (None, ()):
        lines[-1] += f" (the mean of the shape {tuple(outcome.shape)} tensor you returned)"
    if student.grad is None:
        lines.append(f"- expected dL/dlogits[0] = {fmt_array(expected.grad[0])}; yours has no gradient")
    else:
        zero = " (zero everywhere)" if not np.any(student.grad) else ""
        lines.append(
            f"- expected dL/dlogits[0] = {fmt_array(expected.grad[0])}, yours {fmt_array(student.grad[0])}{zero}"
        )
    if isinstance(outcome, Answer) and outcome.mutated:
        lines.append(f"- after the call, {', '.join(f'`{n}`' for n in outcome.mutated)} had changed")
    return "\n".join(lines)


def _unexplained(outcomes, sigs, reference: Suspect, properties: List[str], catalog) -> Diagnosis:
    """No catalog entry fits: still say which property is off, with the smallest failing input."""
    ids = tuple(m for m in catalog if m in properties)
    if not any(s is not None for s in sigs):
        return Diagnosis(ids, "")
    notes = _hints(sigs, reference)
    evidence = _evidence(outcomes, sigs, reference)
    if not notes and not evidence:
        return Diagnosis(ids, "")
    head = "**Not one of the known mistakes.** What the probes show:"
    text = "\n".join([head] + [f"- {n}" for n in notes]) + (f"\n\n{evidence}" if evidence else "")
    return Diagnosis(ids, _explain(ids, outcomes, sigs, reference, catalog) + ("\n\n" if ids else "") + text)


def _hints(sigs: Sequence[Optional[Sig]], reference: Suspect) -> List[str]:
    by_name = {p.name: i for i, p in enumerate(PROBES)}
    hints = []
    values: List[Tuple[float, float]] = []  # (student's, reference's), on ordinary probes with a value
    grads: List[Tuple[np.ndarray, np.ndarray]] = []  # the same, where the student's has a gradient too
    for student, expected in ((sigs[i], reference.sigs[i]) for i in _ORDINARY):
        if student is not None and student.value is not None:
            assert expected is not None and expected.value is not None and expected.grad is not None  # the reference's
            values.append((student.value, expected.value))
            grads += [] if student.grad is None else [(student.grad, expected.grad)]
    ratios = [s / r for s, r in values if abs(r) > 1e-6 and np.isfinite(s)]
    if ratios and np.allclose(ratios, ratios[0], rtol=1e-3) and not np.isclose(ratios[0], 1.0, rtol=1e-3):
        hints.append(f"your loss is the correct one times {fmt(ratios[0])} on every probe (a sign or scale error)")
    mixed, actions, rescaled = (
        sigs[by_name["mixed"]],
        sigs[by_name["mixed, other actions"]],
        sigs[by_name["mixed, q rescaled"]],
    )
    if mixed and rescaled and _close(mixed.value, rescaled.value):
        hints.append("your loss does not change when q changes (q = 3q − 2): it should be linear in q")
    if mixed and actions and _close(mixed.value, actions.value):
        hints.append("your loss does not change when other actions are taken: it must use `actions`")
    if grads and all(np.sum(g * e) < 0 for g, e in grads):
        hints.append("your gradient points away from the correct one (negative dot product)")
    if grads and all(not np.any(g) for g, _ in grads):
        hints.append("your gradient is zero on every probe: the loss does not depend on the logits")
    return hints
