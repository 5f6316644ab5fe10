"""The feedback of one diagnosis: each named mistake with the probe that shows it, or, when no
catalog entry fits, the observations that hold and the smallest probe where the loss is wrong."""

from __future__ import annotations

from typing import Callable, FrozenSet, List, Optional, Sequence, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import Outcome
from grader.naming.observations import observe
from grader.naming.probes import (
    Answers,
    Diagnosis,
    Diagnostics,
    Observation,
    Suspect,
    agrees,
    by_size,
    close_grad,
    detached,
    fitting,
    mutates,
    non_scalar,
    scaled,
    signature,
)
from grader.text import code, fmt, fmt_array


class Explainer:
    """The feedback of one diagnosis: the named mistakes' texts and the numbers that show them."""

    def __init__(self, diagnostics: Diagnostics, outcomes: Sequence[Outcome], suspects: Sequence[Suspect], catalog):
        self.diagnostics = diagnostics
        self.outcomes = outcomes
        self.sigs = [signature(o, p) for o, p in zip(outcomes, diagnostics.probes)]
        self.suspects = suspects
        self.reference = suspects[0]
        self.catalog = catalog
        self.answers = Answers(
            diagnostics.probes, self.sigs, self.reference.sigs, diagnostics.contract, diagnostics.sizes
        )

    def named(self, ids: Sequence[str], match: Optional[Suspect] = None, either: FrozenSet[str] = frozenset()) -> str:
        """Each mistake's title, change, explanation and the smallest probe that shows it; those in either
        (look-alikes nothing tells apart) as possibilities, not as fact."""
        blocks, shown = [], set()
        for mistake in ids:
            block = self.catalog[mistake].headed(possibly=mistake in either)
            index, without = self._showing(mistake, match)
            if index is not None and index in shown:
                block += "\n\nThe example above shows it too."
            elif index is not None:
                block += "\n\n" + self._numbers(index, without, mistake, either)
            if match is not None and mistake in match.ids:
                block += self._silent(getattr(self.catalog[mistake], "meant", ""))
                shown.add(index)
            blocks.append(block)
        return "\n\n".join(blocks)

    def _showing(self, mistake: str, match: Optional[Suspect]) -> Tuple[Optional[int], Optional[Suspect]]:
        """The smallest probe where this mistake shows and, in a combination, the suspect without it."""
        probes, d = self.diagnostics.probes, self.diagnostics
        everywhere = by_size(probes, range(len(probes)))
        answers = [(i, o) for i, o in ((i, self.outcomes[i]) for i in everywhere) if isinstance(o, Answer)]
        if mistake == "mutates_inputs":
            return next((i for i, o in answers if mutates(o)), None), None
        if mistake == "not_scalar":
            return next((i for i, o in answers if o.error is None and non_scalar(o)), None), None
        if mistake == "not_differentiable":
            return next((i for i, o in answers if o.error is None and detached(o)), None), None
        if match is None:
            return self._differs(d.ordinary, self.reference), None
        if mistake in (d.unstable, d.inexact):
            return self._differs(d.extreme, match), None
        rest = match.ids - {mistake}
        candidates = [s for s in self.suspects if s.ids == rest] or [self.reference]
        without = self._without(match, candidates)
        if without is None:  # no counterfactual that is surely this code's: show the probe, say no "would be"
            best = max(candidates, key=lambda s: sum(agrees(self.sigs[i], s.sigs[i]) for i in d.ordinary))
            return self._differs(d.ordinary, best), None
        return self._differs(d.ordinary, without), (without if without.ids else None)

    def _without(self, match: Suspect, candidates: Sequence[Suspect]) -> Optional[Suspect]:
        """The suspect that is the match's very code without one mistake: the match's numbers are
        its own times −1 or ±N on every probe (a sign or a batch sum is what was removed), else the
        only candidate there is; None when several would do (such as two standard deviations)."""
        probes = self.diagnostics.probes
        for factors in ([-1.0] * len(probes), [float(p.rows) for p in probes], [-float(p.rows) for p in probes]):
            for candidate in candidates:
                if all(agrees(m, c) for m, c in zip(match.sigs, scaled(candidate.sigs, factors))):
                    return candidate
        return candidates[0] if len(candidates) == 1 else None

    def _silent(self, meant: str) -> str:
        """For a match that gives no number on some probes: the smallest of them, what it raised,
        and what the entry it computes elsewhere (meant) gives there."""
        d = self.diagnostics
        silent = by_size(d.probes, [i for i in d.ordinary if self.sigs[i] is None])
        if not silent:
            return ""
        i, outcome = silent[0], self.outcomes[silent[0]]
        why = outcome.error if isinstance(outcome, Answer) else getattr(outcome, "message", None)
        first = (why or "no value").strip().splitlines()[0][:160]
        lines = [
            f"Your function gave no number on {len(silent)} of the {len(d.ordinary)} test inputs; on the smallest, "
            f"{d.probes[i].describe(d.contract)}, it raised {code(first)}."
        ]
        other = next((s.sigs[i] for s in self.suspects if s.ids == {meant}), None)
        if other is not None and other.value is not None:
            zero = ", with a gradient of zero" if other.flat else ""
            lines.append(
                f"Computed as meant (“{self.catalog[meant].title}”), your loss there would be {fmt(other.value)}{zero}."
            )
        return "\n\n" + " ".join(lines)

    def _differs(self, indices: Sequence[int], suspect: Suspect) -> Optional[int]:
        wrong = [i for i in indices if not agrees(self.sigs[i], suspect.sigs[i], suspect.same_numbers)]
        return next(iter(by_size(self.diagnostics.probes, wrong)), None)

    def evidence(self) -> str:
        """The smallest probe where the student's answer differs from the reference's, in numbers."""
        ordinary = self.diagnostics.ordinary
        for i in by_size(self.diagnostics.probes, ordinary):
            student, outcome = self.sigs[i], self.outcomes[i]
            mutated = isinstance(outcome, Answer) and outcome.mutated
            if agrees(student, self.reference.sigs[i]) and not mutated and student is not None and student.grads:
                continue
            return self._numbers(i)
        return ""

    def _numbers(
        self, index: int, without: Optional[Suspect] = None, mistake: str = "", either: FrozenSet[str] = frozenset()
    ) -> str:
        probe, outcome, student, expected = (
            self.diagnostics.probes[index],
            self.outcomes[index],
            self.sigs[index],
            self.reference.sigs[index],
        )
        assert expected is not None and expected.value is not None and expected.grads  # the reference's loss has both
        lines = [f"Evidence: for {probe.describe(self.diagnostics.contract)}:"]
        if student is None:
            raised = outcome.error if isinstance(outcome, Answer) and outcome.error else ""
            why = f" (it raised {code(raised.strip().splitlines()[0][:160])})" if raised else ""
            lines.append(f"- expected loss {fmt(expected.value)}; your function gave no value{why}.")
            return "\n".join(lines)
        assert student.value is not None  # a signature always has a value
        lines.append(f"- expected loss {fmt(expected.value)}, yours {fmt(student.value)}")
        if isinstance(outcome, Answer) and outcome.shape not in (None, ()):
            lines[-1] += f" (the mean of the shape {tuple(outcome.shape)} tensor you returned)"
        for name, grad in expected.grads.items():
            mine = student.grads.get(name)
            if mine is None:
                label, shown = _row(grad, grad)
                lines.append(f"- expected {label.format(name)} = {fmt_array(shown(grad))}; yours has no gradient")
            else:
                label, shown = _row(grad, mine)
                zero = " (zero everywhere)" if not np.any(mine) else ""
                lines.append(
                    f"- expected {label.format(name)} = {fmt_array(shown(grad))}, yours {fmt_array(shown(mine))}{zero}"
                )
        if isinstance(outcome, Answer) and outcome.mutated:
            lines.append(f"- after the call, {', '.join(f'`{n}`' for n in outcome.mutated)} had changed")
        other = without.sigs[index] if without is not None else None
        if without is not None and other is not None and other.value is not None:
            alone = " and ".join(f"“{self.catalog[m].title}”" for m in sorted(without.ids - either))
            alike = " or ".join(f"“{self.catalog[m].title}”" for m in sorted(either))
            alone = " and ".join(a for a in (alone, alike if without.ids & either else "") if a)
            lines.append(f"- without this mistake, with only {alone}, your loss would be {fmt(other.value)}")
        return "\n".join(lines)

    def unexplained(self, properties: List[str]) -> Diagnosis:
        """No catalog entry fits: say what the probes show, each with the smallest probe that shows it."""
        ids = tuple(m for m in self.catalog if m in properties)
        if not any(s is not None for s in self.sigs):
            return Diagnosis(ids, self.named(ids))
        notes = self._where_it_ran() + observe(self.answers, self.diagnostics.variations)
        notes += self.diagnostics.hints(self.answers)
        evidence = self.evidence()
        if not notes and not evidence:
            return Diagnosis(ids, self.named(ids))
        head = "**Not one of the known mistakes.** What the test inputs show:"
        text = "\n".join([head] + [self._note(n) for n in notes]) + (f"\n\n{evidence}" if evidence else "")
        return Diagnosis(ids, self.named(ids) + ("\n\n" if ids else "") + text)

    def _note(self, note: Observation) -> str:
        probe = self.diagnostics.probes[note.probe]
        meaning = note.meaning or self.diagnostics.meanings.get(note.kind, "")
        sizes = ", ".join(f"{name}={size}" for name, size in self.diagnostics.sizes(probe))
        mine, correct = self.sigs[note.probe], self.reference.sigs[note.probe]
        assert correct is not None and correct.value is not None  # the reference answers every probe
        yours = "no value" if mine is None or mine.value is None else fmt(mine.value)
        return (
            f"- {note.text}{f'; {meaning}' if meaning else ''}. Shown by {probe.describe(self.diagnostics.contract)} "
            f"({sizes}): your loss {yours}, the correct one {fmt(correct.value)}."
        )

    def _where_it_ran(self) -> List[Observation]:
        """Probes that gave no number, and what the function does where it ran."""
        d = self.diagnostics
        ran = [i for i in d.ordinary if self.sigs[i] is not None]
        silent = by_size(d.probes, [i for i in d.ordinary if self.sigs[i] is None])
        if not ran or not silent:
            return []
        outcome = self.outcomes[silent[0]]
        why = outcome.error if isinstance(outcome, Answer) else getattr(outcome, "message", None)
        first = (why or "no value").strip().splitlines()[0][:160] if why else "no value"
        notes = [
            Observation.of(
                "raised",
                f"your function gave no number on {len(silent)} of the {len(d.ordinary)} test inputs "
                f"(on the smallest: {code(first)})",
                silent[0],
            )
        ]
        matches = fitting(self.sigs, self.suspects, ran)
        fewest = min((len(s.ids) for s in matches), default=None)
        simplest = sorted(
            {
                " combined with ".join(f"“{self.catalog[m].title}”" for m in sorted(s.ids))
                for s in matches
                if len(s.ids) == fewest
            }
        )
        where = "on the only test input where" if len(ran) == 1 else f"on the {len(ran)} test inputs where"
        where += " it gave a number"
        smallest = by_size(d.probes, ran)[0]
        if fewest == 0:
            notes.append(Observation.of("ran like", f"{where} it gives exactly the correct numbers", smallest))
        elif simplest and len(simplest) <= 2:
            notes.append(
                Observation.of("ran like", f"{where} it behaves exactly like {' and like '.join(simplest)}", smallest)
            )
        return notes


def _row(expected: np.ndarray, mine: np.ndarray) -> Tuple[str, Callable[[np.ndarray], List[float]]]:
    """Which part of a gradient the evidence shows: the first wrong row of a per-sample one (the
    first row if none is wrong), a vector (one entry per dimension) whole."""
    if expected.ndim < 2:
        return "dL/d{}", lambda g: g.tolist()
    row = next((r for r in range(len(expected)) if not close_grad(mine[r], expected[r])), 0)
    return f"dL/d{{}}[{row}]", lambda g: g[row].tolist()
