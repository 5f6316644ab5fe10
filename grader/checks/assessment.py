"""Checks, then diagnosis: everything about one function that does not depend on where it runs.

Used by grade.py (each phase below for every part of an upload, in turn) and selfcheck.py
(``assess``: every phase of one function on the student's own machine).

The order is what keeps hidden inputs out of the feedback. First the child whose
printed output the student sees answers everything it will ever answer, for
every function of the upload: the public cases, the repeat, the finite difference,
the diagnosis probes (``ask_public``), the learning checks and the course's own
tests. Only once that child is dead are the hidden cases asked, of a fresh one: a
child cannot observe another that starts after it has ended, not even through the
clock, and what the hidden child does (prints, hangs, dies) becomes nothing but
failed hidden cases. Which ones and how many go to the course staff
(``extra["hidden"]``); a student sees whether any did. Then ``conclude`` scores and names."""

from __future__ import annotations

import dataclasses
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Dict, FrozenSet, List, Optional, Sequence, Tuple

from grader.calling.oracle import Oracle, Outcome
from grader.checks import dependence
from grader.checks import held as held_tests
from grader.checks import verdicts as checks
from grader.checks.cases import CaseSet
from grader.checks.held import VISIBLE, Held
from grader.checks.part import Catalog, Part
from grader.checks.verdicts import CheckResult
from grader.naming import diagnosis as diagnose
from grader.naming import matching
from grader.naming.matching import Matching
from grader.naming.probes import Diagnosis
from grader.text import Markdown, code_spans

Suspects = Tuple[Sequence[diagnose.Suspect], Catalog]  # suspects, catalog by ID
Learn = Callable[[Oracle], Tuple[CheckResult, Dict]]  # oracle -> learning check, extra data


@dataclass
class Assessment:
    checks: List[CheckResult]
    mistakes: Tuple[str, ...] = ()
    possible: FrozenSet[str] = frozenset()  # of the mistakes, look-alikes the tests cannot tell apart
    extra: Dict = field(default_factory=dict)
    timing: Dict[str, float] = field(default_factory=dict)
    unscored: str = ""  # why the loss earns nothing (dependence.py), as the visible tests say it; "" if it does


@dataclass
class Asked:
    """A part's public phase: its public cases, the changed-input trial, the diagnosis probes."""

    public: checks.Public
    changed: Optional[Tuple[checks.Trial, Outcome]]
    probes: List[Outcome]
    timing: Dict[str, float] = field(default_factory=dict)


def ask_public(oracle: Oracle, part: Part, cases: CaseSet) -> Asked:
    """Everything the oracle whose output the student sees asks of one function but the learning
    check: the probes too, whether or not a check fails (whether one fails depends on the hidden cases)."""
    timing: Dict[str, float] = {}
    with timed(timing, "checks"):
        public = checks.ask_public(oracle, cases, part.contract)
        changed = dependence.ask_changed(oracle, public, part.contract)
    with timed(timing, "diagnosis"):
        probes = _ask_probes(oracle, part)
    return Asked(public, changed, probes, timing)


def conclude(
    asked: Asked,
    hidden: Dict[str, List[checks.Trial]],
    learned: Sequence[Tuple[CheckResult, Dict]],
    part: Part,
    cases: CaseSet,
    weights: Dict[str, float],
    suspects: Callable[[], Suspects],
    held: Optional[Held] = None,
) -> Assessment:
    """Grade every check from what was asked; name the mistake when one fails (a correct function
    is never diagnosed). learned: its learning checks, with their extra data. held: hidden-case
    tests of their own (held.py)."""
    result = Assessment([], timing=dict(asked.timing))
    for _, extra in learned:
        result.extra.update(extra)
    if held is None:
        result.checks = checks.score(asked.public, hidden, weights, part)
    else:
        result.checks = held_tests.score_held(asked.public, hidden, weights, cases, part, held)
    result.extra["hidden"] = hidden_results(result.checks)
    if part.diagnostics and not all(check.passed for check in result.checks):
        with timed(result.timing, "diagnosis"):
            found_suspects, catalog = suspects()
            found = _name(asked.probes, part, found_suspects, catalog)
        result.mistakes, result.possible = found.mistakes, found.possible
        result.checks = [_with_diagnosis(check, found) for check in result.checks]
    at = sum(check.visibility == VISIBLE for check in result.checks)
    for learning, _ in reversed(learned):  # after the visible checks, before any held back; failing, tagged too
        tagged = learning if learning.passed else dataclasses.replace(learning, tags=result.mistakes)
        result.checks.insert(at, tagged)
    _unscore(result, asked.public, hidden, asked.changed, part, held)
    return result


def assess(
    oracle: Oracle,
    part: Part,
    cases: CaseSet,
    weights: Dict[str, float],
    suspects: Callable[[], Suspects],
    learn: Sequence[Learn] = (),
    course_tests: Optional[Callable[[Oracle], None]] = None,
) -> Assessment:
    """One function's every check in one oracle of trusted code or the student's own machine (the
    self-check): its public phase, learning checks and course tests, then the hidden cases. A
    submission's grade asks the hidden cases of another child (grade.py)."""
    asked = ask_public(oracle, part, cases)
    learned = []
    for each in learn:
        with timed(asked.timing, "learning"):
            learned.append(each(oracle))
    if course_tests is not None:
        with timed(asked.timing, "course_tests"):
            course_tests(oracle)
    with timed(asked.timing, "hidden"):
        hidden = checks.ask_hidden(oracle, cases)
    return conclude(asked, hidden, learned, part, cases, weights, suspects)


def _unscore(
    result: Assessment,
    public: checks.Public,
    hidden: Dict[str, List[checks.Trial]],
    changed: Optional[Tuple[checks.Trial, Outcome]],
    part: Part,
    held: Optional[Held],
) -> None:
    """A loss that cannot train earns nothing (dependence.py). What the visible tests say of it
    comes from the public cases alone when hidden-case tests are held back."""
    if changed is None:
        return
    shown = [trial for trials in public.trials.values() for trial in trials]
    every = shown + [trial for trials in hidden.values() for trial in trials]
    why = dependence.independence(*changed, every, part.contract)
    why_shown = why if held is None else dependence.independence(*changed, shown, part.contract)
    result.unscored = why_shown or ""
    result.checks = [
        dependence.unscored(check, reason) if reason else check
        for check in result.checks
        for reason in [why_shown if check.visibility == VISIBLE else why]
    ]


def _ask_probes(oracle: Oracle, part: Part) -> List[Outcome]:
    if isinstance(part.diagnostics, Matching):
        return matching.ask(oracle, part.diagnostics)
    return diagnose.ask_probes(oracle, part.diagnostics) if part.diagnostics else []


def _name(probes: Sequence[Outcome], part: Part, suspects: Sequence[diagnose.Suspect], catalog: Catalog) -> Diagnosis:
    """The mistake, by the part's own way of naming: a loss's diagnosis, an array function's matching."""
    if isinstance(part.diagnostics, Matching):
        return matching.name(probes, part.diagnostics, suspects, catalog)
    assert part.diagnostics is not None  # named only when the part has diagnostics
    return diagnose.diagnose(probes, part.diagnostics, suspects, catalog)


def hidden_results(graded: Sequence[CheckResult]) -> Dict[str, Dict]:
    """For the course staff (results.json's extra_data, never shown to a student): per check, how
    many of its hidden cases failed and which, by kind, seed and sizes."""
    return {
        check.key: {
            "failed": len(check.hidden.failed),
            "of": check.hidden.total,
            "cases": [{"kind": case.kind, "seed": case.seed, **dict(case.sizes)} for case in check.hidden.failed],
        }
        for check in graded
        if check.hidden
    }


@contextmanager
def timed(timing: Dict[str, float], phase: str):
    """Adds the seconds the block takes to timing[phase]."""
    tick = time.monotonic()
    try:
        yield
    finally:
        timing[phase] = timing.get(phase, 0.0) + time.monotonic() - tick


def _with_diagnosis(check: CheckResult, found: Diagnosis) -> CheckResult:
    """A failing test gets the mistake IDs as tags and the diagnosis after its own feedback; a
    held-back one only the tags, since it shows nothing but counts (held.py)."""
    if check.passed:
        return check
    if check.visibility != VISIBLE or not found.feedback:
        return dataclasses.replace(check, tags=found.mistakes)
    return dataclasses.replace(check, output=Markdown(f"{check.output}\n\n{found.feedback}"), tags=found.mistakes)


def summary(result: Assessment, catalog: Catalog, notes: Sequence[Markdown] = ()) -> Markdown:
    """The top-level feedback: one sentence on what is wrong, one line per named mistake on what to
    change, and the loader's notes."""
    wrong = what_is_wrong(result, catalog)
    if wrong:  # the failed tests follow: no list of them here
        changes = [_changes(result, catalog)] if result.mistakes else []
        return Markdown("\n\n".join([f"What is wrong: {wrong}", *changes, *notes]))
    shown = [check for check in result.checks if check.visibility == VISIBLE]
    passed = "All checks passed." if len(shown) == len(result.checks) else "All the tests shown now passed."
    return Markdown("\n\n".join([passed, *notes]))


def what_is_wrong(result: Assessment, catalog: Catalog) -> Markdown:
    """The summary's sentence on what is wrong, from the tests a student sees now (held.py); "" when
    none of them failed."""
    failed = [check for check in result.checks if check.visibility == VISIBLE and not check.passed]
    if not failed:
        return Markdown("")
    if result.mistakes:
        return Markdown(f"{_named(result, catalog)}. The failing tests show the numbers.")
    return Markdown(first_sentence(failed[0].output))  # the first failing check's: its smallest evidence


def _named(result: Assessment, catalog: Catalog) -> str:
    """The named mistakes' titles (their IDs are in extra_data, for tools); look-alikes as one or the other."""
    sure = [catalog[m].title for m in result.mistakes if m not in result.possible]
    alike = " or ".join(catalog[m].title for m in result.mistakes if m in result.possible)
    return "; and ".join(sure + ([f"{alike} (the tests cannot tell which)"] if alike else []))


def _changes(result: Assessment, catalog: Catalog) -> str:
    """What to change: each named mistake's line, a look-alike's only as what to do if it is that one."""
    lines = [catalog[m].change for m in result.mistakes if m not in result.possible]  # in _named's order
    lines += [f"If it is “{catalog[m].title}”: {catalog[m].change}" for m in result.mistakes if m in result.possible]
    return (
        f"What to change: {lines[0]}"
        if len(lines) == 1
        else "What to change:\n" + "\n".join(f"- {line}" for line in lines)
    )


def first_sentence(text: str) -> str:
    """The first sentence of a feedback text: up to the first ". " outside `code`, or its first line."""
    line = text.strip().split("\n", 1)[0]
    spans = code_spans(line)
    for i in (i for i in range(len(line)) if line.startswith(". ", i)):
        if not any(start <= i < end for start, end in spans):
            return line[: i + 1]
    return line if line.endswith((".", ":")) or not line else line + "."
