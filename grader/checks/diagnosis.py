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
mean is compared instead, a value with no gradient); two more,
``Diagnostics.unstable`` and ``Diagnostics.inexact``, are a match on the
ordinary probes that is not finite, or finite and wrong, on an extreme one. A
student matches a suspect when value and gradients agree on every ordinary
probe (NaN with NaN: grader.checks.probes); the simplest match (fewest
mistakes) wins. Suspects with identical numbers (the catalog's
``SAME_NUMBERS``) are told apart by whether an N × N intermediate tensor
appears on a traced probe. A loss that is the same number whatever the inputs
is named nothing: that simpler truth is what its feedback says.

What the feedback shows
-----------------------
Each named mistake: its title and explanation, and the smallest probe where
that mistake shows (where the student differs from the same suspect without
it). No match: the observations (grader.checks.observations) that hold, each
with the smallest probe that shows it, and the smallest probe where the
student differs from the reference.
"""

from __future__ import annotations

from typing import Callable, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from grader.checks.answer import Answer
from grader.checks.explain import Explainer
from grader.checks.observations import constant
from grader.checks.oracle import LocalOracle, Oracle, Outcome
from grader.checks.probes import (
    Diagnosis,
    Diagnostics,
    Probe,
    Sig,
    Suspect,
    agrees,
    detached,
    finite,
    fitting,
    non_scalar,
    scaled,
    signature,
)

__all__ = [
    "Diagnosis",
    "Diagnostics",
    "Probe",
    "Sig",
    "Suspect",
    "answer_all",
    "ask_probes",
    "diagnose",
    "reductions",
    "scaled",
]


PROPERTY_MISTAKES = ("mutates_inputs", "not_scalar", "not_differentiable")  # every catalog has these IDs


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


def reductions(sigs: Sequence[Optional[Sig]], flipped: str, summed: str) -> List[Tuple[float, bool, FrozenSet[str]]]:
    """The output changes any mean-reduced loss can make, as (sign, times N, the IDs they add):
    none, ×−1 (`flipped`), ×N (`summed`, a sum instead of a mean over the batch) and both. A loss
    whose gradient is zero anyway gets no `flipped`: its sign is not a mistake worth naming."""
    flat = all(sig is None or sig.flat for sig in sigs)
    flip = frozenset() if flat else frozenset({flipped})
    return [
        (1.0, False, frozenset()),
        (-1.0, False, flip),
        (1.0, True, frozenset({summed})),
        (-1.0, True, flip | {summed}),
    ]


def ask_probes(oracle: Oracle, diagnostics: Diagnostics) -> List[Outcome]:
    return [oracle.call(*p.arrays, trace=p.trace) for p in diagnostics.probes]


def diagnose(
    outcomes: Sequence[Outcome], diagnostics: Diagnostics, suspects: Sequence[Suspect], catalog: Mapping[str, object]
) -> Diagnosis:
    """Mistake IDs and feedback from the student's answers to the probes."""
    explain = Explainer(diagnostics, outcomes, suspects, catalog)
    properties = _properties(outcomes)
    ordinary, sigs = diagnostics.ordinary, explain.sigs
    match = None
    if all(sigs[i] is not None for i in ordinary) and constant(explain.answers) is None:
        match = _best_match(sigs, suspects, ordinary)
    if match is None:
        return explain.unexplained(properties)
    twins = _twins(sigs, suspects, ordinary, match)
    either = set().union(*(s.ids ^ match.ids for s in twins))  # what the look-alikes differ in
    found = set(match.ids) | either | set(properties) | _at_extremes(sigs, match, diagnostics)
    ordered = tuple(m for m in catalog if m in found)
    feedback = explain.named(ordered, match, frozenset(either))
    if either:
        fits = " or ".join(f"`{m}`" for m in catalog if m in either)
        feedback = (
            f"Your answers fit {fits} equally: those give identical numbers on every input and nothing your "
            "code computed tells them apart, so the probes cannot tell which one you made. Each is described "
            f"below as a possibility.\n\n{feedback}"
        )
    return Diagnosis(ordered, feedback)


def _twins(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int], match: Suspect) -> list:
    """Other suspects with the very numbers of the match (SAME_NUMBERS) that fit as simply: no
    probe can tell them from it, so naming only one would be a guess."""
    if not match.same_numbers:
        return []
    fits = fitting(sigs, suspects, probes)
    return [s for s in fits if s.same_numbers and len(s.ids) == len(match.ids) and s.ids != match.ids]


def _best_match(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int]) -> Optional[Suspect]:
    matches = fitting(sigs, suspects, probes)
    return min(matches, key=lambda s: len(s.ids)) if matches else None


def _at_extremes(sigs: Sequence[Optional[Sig]], match: Suspect, diagnostics: Diagnostics) -> set:
    """The unstable mistake when an extreme probe is not finite, the inexact one when only wrong."""
    wrong = [sigs[i] for i in diagnostics.extreme if not agrees(sigs[i], match.sigs[i])]
    if not wrong:
        return set()
    inexact = diagnostics.inexact and all(finite(s) for s in wrong)
    return {diagnostics.inexact if inexact else diagnostics.unstable}


def _properties(outcomes: Sequence[Outcome]) -> List[str]:
    answers = [o for o in outcomes if isinstance(o, Answer) and o.error is None]
    found = []
    if any(a.mutated for a in answers):
        found.append("mutates_inputs")
    if any(non_scalar(a) for a in answers):
        found.append("not_scalar")
    if any(detached(a) for a in answers):
        found.append("not_differentiable")
    return found
