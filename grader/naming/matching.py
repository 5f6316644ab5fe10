"""Name an array function's mistake: the catalog entry whose whole output is the student's on
every probe, shown with the numbers of the smallest probe where the student's answer is wrong.

A loss is named through its value and gradients with the variants a loss allows
(diagnosis.py); an array function has neither gradient nor reduction to vary, so
its suspects are the reference and the catalog's entries as they are, each known
by its outputs on the probes (a Sig whose one array is the output, so that the
self-check stores and matches them as it does a loss's). Entries that fit equally
are named together, as what the probes cannot tell apart.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, List, Mapping, Optional, Sequence, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import LocalOracle, Oracle, Outcome
from grader.contract import Contract
from grader.naming.probes import ATOL, RTOL, Diagnosis, Probe, Sig, Suspect, agrees, by_size, fitting
from grader.text import fmt_array

OUTPUT = "output"  # the key of a Sig's one array


@dataclass(frozen=True)
class Matching:
    """An array part's side of the diagnosis: probes on which the catalog's entries all differ."""

    contract: Contract
    probes: Tuple[Probe, ...]

    def outputs(self, function: Callable) -> Tuple[Optional[Sig], ...]:
        """A trusted function's output on every probe."""
        oracle = LocalOracle(function, self.contract)
        return tuple(output_sig(oracle.call(*probe.arrays)) for probe in self.probes)


def output_sig(outcome: Outcome) -> Optional[Sig]:
    """An answer's output as matching reads it; None when no array came back."""
    if not isinstance(outcome, Answer) or outcome.error is not None or outcome.value is None:
        return None
    return Sig(None, {OUTPUT: outcome.value}, False)


def ask(oracle: Oracle, matching: Matching) -> List[Outcome]:
    return [oracle.call(*probe.arrays) for probe in matching.probes]


def name(
    outcomes: Sequence[Outcome], matching: Matching, suspects: Sequence[Suspect], catalog: Mapping[str, Any]
) -> Diagnosis:
    """The catalog entries that give the student's very outputs on every probe, with the evidence."""
    sigs = [output_sig(outcome) for outcome in outcomes]
    everywhere = list(range(len(matching.probes)))
    fits = [s for s in fitting(sigs, suspects, everywhere) if s.ids]
    fewest = min((len(s.ids) for s in fits), default=0)
    ids = tuple(m for m in catalog if any(m in s.ids for s in fits if len(s.ids) == fewest))
    reference = suspects[0]
    differs = [i for i in everywhere if sigs[i] is None or not agrees(sigs[i], reference.sigs[i])]
    # The smallest probe that shows the difference, but one of a single entry only if no other does:
    # "[3] correct, yours [3] (shape ())" is true and shows nothing.
    wrong = sorted(by_size(matching.probes, differs), key=lambda i: matching.probes[i].size == 1)
    titles = [catalog[m].title for m in ids]
    evidence = _evidence(matching, wrong[0], sigs[wrong[0]], reference.sigs[wrong[0]], titles) if wrong else ""
    # Several fit: each is a possibility, and so is its change. The IDs are for tools (extra_data).
    blocks = [catalog[m].headed(possibly=len(ids) > 1) for m in ids]
    if len(ids) > 1:
        listed = " or ".join(f"“{catalog[m].title}”" for m in ids)
        blocks.insert(0, f"Your answers fit {listed} equally: they give the same numbers on every test input.")
    if not ids and evidence:
        blocks.append("**Not one of the known mistakes.**")
    return Diagnosis(
        ids, "\n\n".join(blocks + ([evidence] if evidence else [])), frozenset(ids if len(ids) > 1 else ())
    )


def _evidence(
    matching: Matching, index: int, mine: Optional[Sig], correct: Optional[Sig], titles: Sequence[str]
) -> str:
    """The smallest probe where the answer is wrong: its inputs, the correct output and the student's."""
    probe = matching.probes[index]
    assert correct is not None  # the reference answers every probe
    expected = correct.grads[OUTPUT]
    lines = [f"Evidence: for {probe.describe(matching.contract)}:", f"- the correct answer is {_shown(expected)}"]
    if mine is None:
        lines.append("- your function gave no array of numbers")
        return "\n".join(lines)
    got = mine.grads[OUTPUT]
    lines.append(f"- yours is {_shown(got)}")
    if got.shape == expected.shape and got.ndim == 1:
        off = int(np.argmax(~np.isclose(got, expected, rtol=RTOL, atol=ATOL, equal_nan=True)))  # agrees' tolerances
        lines.append(
            f"- the first entry that differs is [{off}]: {fmt_array([expected[off]])} correct, {fmt_array([got[off]])} yours"
        )
    if titles:
        named = " and ".join(f"“{title}”" for title in titles)
        lines.append(f"- {named} gives exactly your numbers here and on every other test input")
    return "\n".join(lines)


def _shown(values: np.ndarray) -> str:
    return fmt_array(np.ravel(values).tolist(), limit=10) + (f" (shape {values.shape})" if values.ndim != 1 else "")
