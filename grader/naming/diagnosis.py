"""Name the student's mistake: compare their answers on probe inputs with the catalog's.

How a match is made
-------------------
The probes are small hand-made inputs chosen by the exercise so that every
catalog entry answers differently (``Diagnostics.probes``). A *suspect* is one
way of being wrong, with the numbers it produces on every probe: a catalog
entry, the reference itself, or either combined with the changes the exercise
declares in ``Diagnostics.suspects`` (a transformed input, an output scale);
grader.naming.suspects builds them once per process from the trusted catalog.

Three mistakes are properties rather than numbers, read off the answers before
matching (``PROPERTY_MISTAKES``: an input changed, a non-scalar result whose
mean is compared instead, a value with no gradient); two more,
``Diagnostics.unstable`` and ``Diagnostics.inexact``, are a match on the
ordinary probes that is not finite, or finite and wrong, on an extreme one. A
student matches a suspect when value and gradients agree on every ordinary
probe (NaN with NaN: grader.naming.probes; a probe that gave no number only
with a suspect that gives none there either, such as a shape error that
depends on N); the simplest match (fewest
mistakes) wins. Suspects with identical numbers (the catalog's
``SAME_NUMBERS``) are told apart by whether an N × N intermediate tensor
appears on a traced probe. A loss that is the same number whatever the inputs
is named nothing: that simpler truth is what its feedback says.

What the feedback shows
-----------------------
Each named mistake: its title, what to change and why, and the smallest probe where
that mistake shows (where the student differs from the same suspect without
it). No match: the observations (grader.naming.observations) that hold, each
with the smallest probe that shows it, and the smallest probe where the
student differs from the reference.
"""

from __future__ import annotations

from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import Oracle, Outcome
from grader.naming.evidence import Explainer
from grader.naming.observations import constant
from grader.naming.probes import (
    ATOL,
    Diagnosis,
    Diagnostics,
    Probe,
    Sig,
    Suspect,
    agrees,
    detached,
    finite,
    fitting,
    mutates,
    non_scalar,
    scaled,
)
from grader.text import fmt

__all__ = [
    "Diagnosis",
    "Diagnostics",
    "Probe",
    "Sig",
    "Suspect",
    "ask_probes",
    "diagnose",
]


PROPERTY_MISTAKES = ("mutates_inputs", "not_scalar", "not_differentiable")  # every catalog has these IDs


def ask_probes(oracle: Oracle, diagnostics: Diagnostics) -> List[Outcome]:
    return [oracle.call(*p.arrays, trace=p.trace) for p in diagnostics.probes]


def diagnose(
    outcomes: Sequence[Outcome], diagnostics: Diagnostics, suspects: Sequence[Suspect], catalog: Mapping[str, Any]
) -> Diagnosis:
    """Mistake IDs and feedback from the student's answers to the probes."""
    suspects = [s for s in suspects if not _vanishes(s, diagnostics.ordinary)]
    explain = Explainer(diagnostics, outcomes, suspects, catalog)
    properties = _properties(outcomes)
    ordinary, sigs = diagnostics.ordinary, explain.sigs
    match = None
    if sum(sigs[i] is not None for i in ordinary) >= 2 and constant(explain.answers) is None:
        match = _best_match(sigs, suspects, ordinary)  # a probe with no number matches one the suspect fails
    if match is None:
        scaled_match = _times_constant(sigs, suspects, ordinary) if constant(explain.answers) is None else None
        if scaled_match is None:
            return explain.unexplained(properties)
        match, factor = scaled_match
        ids = tuple(m for m in catalog if m in match.ids | set(properties))
        (mistake,) = match.ids
        said = (
            f"Your loss and its {explain.answers.gradients()} are {fmt(factor)} times those of “{catalog[mistake].title}” "
            f"{explain.answers.on(len(ordinary))}: that mistake, times a constant."
        )
        return Diagnosis(ids, f"{said}\n\n{explain.named(ids, match)}")
    twins = _twins(sigs, suspects, ordinary, match)
    either = set().union(*(s.ids ^ match.ids for s in twins))  # what the look-alikes differ in
    found = set(match.ids) | either | set(properties) | _at_extremes(sigs, match, diagnostics)
    ordered = tuple(m for m in catalog if m in found)
    feedback = explain.named(ordered, match, frozenset(either))
    if either:
        fits = " or ".join(f"“{explain.catalog[m].title}”" for m in catalog if m in either)
        feedback = (
            f"Your answers fit {fits} equally: those give identical numbers on every input and nothing your "
            "code computed tells them apart, so these tests cannot tell which one you made. Each is described "
            f"below as a possibility.\n\n{feedback}"
        )
    return Diagnosis(ordered, feedback, frozenset(either))


def _vanishes(suspect: Suspect, probes: List[int]) -> bool:
    """A suspect that is 0 with a zero gradient on every probe (a mistake on q standardised inside
    whose mean it takes): any small enough answer would fit it, and a loss that is 0 whatever the
    inputs is told just that."""
    return all(
        s is not None and s.value is not None and abs(s.value) <= ATOL and s.flat
        for s in (suspect.sigs[i] for i in probes)
    )


def _twins(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int], match: Suspect) -> list:
    """Other suspects with the very numbers of the match (SAME_NUMBERS) that fit as simply: no
    probe can tell them from it, so naming only one would be a guess."""
    if not match.same_numbers:
        return []
    fits = fitting(sigs, suspects, probes)
    return [s for s in fits if s.same_numbers and len(s.ids) == len(match.ids) and s.ids != match.ids]


def _times_constant(
    sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int]
) -> Optional[Tuple[Suspect, float]]:
    """One catalog mistake times a free constant (a coefficient, q scaled down), when it alone fits:
    the student's answers divided by the constant agree with it on every probe (its N x N tensor
    too, for a look-alike), and with no other suspect's, the reference's included (a scaled
    reference is the observations' ratio, not a mistake times a constant)."""
    if not all(finite(sigs[i]) for i in probes):
        return None
    mine = [sig for sig in (sigs[i] for i in probes) if sig is not None]
    found: dict = {}
    for suspect in suspects:
        theirs = [suspect.sigs[i] for i in probes]
        values = [0.0 if t is None or t.value is None else t.value for t in theirs]
        if len(suspect.ids) > 1 or not all(finite(t) for t in theirs):
            continue
        at = int(np.argmax(np.abs(values)))
        factor = float(mine[at].value or 0.0) / values[at] if values[at] else 0.0
        if abs(factor) < 1e-6 or abs(abs(factor) - 1) < 1e-2:
            continue
        back = scaled(mine, [1 / factor] * len(mine))
        if all(agrees(m, t, suspect.same_numbers) for m, t in zip(back, theirs)):
            found.setdefault(suspect.ids, (Suspect(suspect.ids, scaled(suspect.sigs, [factor] * len(theirs))), factor))
    return next(iter(found.values())) if len(found) == 1 and frozenset() not in found else None


def _best_match(sigs: Sequence[Optional[Sig]], suspects: Sequence[Suspect], probes: List[int]) -> Optional[Suspect]:
    matches = fitting(sigs, suspects, probes)
    return min(matches, key=lambda s: len(s.ids)) if matches else None


def _at_extremes(sigs: Sequence[Optional[Sig]], match: Suspect, diagnostics: Diagnostics) -> set:
    """The unstable mistake when an extreme probe is not finite, the inexact one when only wrong."""
    # Where the match itself is not finite, its own mistake is what shows there.
    wrong = [sigs[i] for i in diagnostics.extreme if finite(match.sigs[i]) and not agrees(sigs[i], match.sigs[i])]
    if not wrong:
        return set()
    inexact = diagnostics.inexact and all(finite(s) for s in wrong)
    return {diagnostics.inexact if inexact else diagnostics.unstable}


def _properties(outcomes: Sequence[Outcome]) -> List[str]:
    answers = [o for o in outcomes if isinstance(o, Answer) and o.error is None]
    found = []
    if any(isinstance(o, Answer) and mutates(o) for o in outcomes):
        found.append("mutates_inputs")
    if any(non_scalar(a) for a in answers):
        found.append("not_scalar")
    if any(detached(a) for a in answers):
        found.append("not_differentiable")
    return found
