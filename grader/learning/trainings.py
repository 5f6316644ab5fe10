"""An upload's learning checks: which functions each trains with, and each distinct training run once.

A check trains a policy with its part's function and, where its trainer names PARTNERS,
with other functions: a correct one each. That is the student's when the upload has it
and it passes every public check of its own part, else the reference's; so a check
passes or fails on its own part's function, and one part's bug never costs another
part's learning points. A check declared `together` trains with the student's partners
whatever they are: the homework as handed in.

Checks that train with the same functions in the same way (the same TRAINING and grading
seeds) share one training: when every part of the homework is right, its reward-to-go's
check, its loss's and the one of both together are one training. A check that fails
with a student's partner is trained again with the reference's partner, so that it is
never the partner that fails it; it says so.
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, Optional, Sequence, Tuple

from grader import text
from grader.calling.oracle import Oracle
from grader.checks.part import Check, Part
from grader.checks.verdicts import CheckResult
from grader.learning.check import Calls, Trainer, partners_of, report
from grader.learning.runs import Learning, summary
from grader.text import Markdown

Result = Tuple[CheckResult, Dict]  # the check's result, its extra data


@dataclass(frozen=True)
class Pending:
    """A learning check to run: its part, its trainer and its points."""

    part: Part
    check: Check
    trainer: Trainer
    weight: float


@dataclass(frozen=True)
class Function:
    """One function a training may use: the student's (its oracle, and whether its part passes
    every public check) or, for a partner, the reference's (None when the trainer has its own)."""

    part: Part
    oracle: Optional[Oracle]  # the student's; None when the upload does not have it or it did not import
    correct: bool  # its part passes every public check
    reference: Optional[Oracle] = None
    error: str = ""  # why the student's cannot be called (the import's error), when oracle is None


def run_checks(pending: Sequence[Pending], functions: Mapping[str, Function]) -> List[Result]:
    """Each pending check's result, in order, training each distinct combination of functions once."""
    calls = {name: Calls(f.oracle, f.part) for name, f in functions.items() if f.oracle is not None}
    references = {name: Calls(f.reference, f.part) for name, f in functions.items() if f.reference is not None}
    done: Dict[Tuple, Sequence[Learning]] = {}

    def train(each: Pending, yours: FrozenSet[str]) -> Sequence[Learning]:
        key = (getattr(each.trainer, "TRAINING", None) or each.trainer, each.trainer.GRADING_SEEDS, yours)
        if key not in done:
            given = _given(each.trainer, yours, references)
            others: Dict[str, Any] = {p: calls[p] if p in yours else references[p] for p in given}
            done[key] = each.trainer.train(calls[each.part.function], each.trainer.GRADING_SEEDS, **others)
        return done[key]

    return [_one(each, functions, calls, train) for each in pending]


def _one(
    each: Pending,
    functions: Mapping[str, Function],
    calls: Mapping[str, Calls],
    train: Callable[[Pending, FrozenSet[str]], Sequence[Learning]],
) -> Result:
    own, partners = each.part.function, partners_of(each.trainer)
    if each.check.together:
        missing = [p for p in partners if p not in calls]
        if missing:
            why = f"This check trains with your `{missing[0]}` too, which could not be imported"
            error = functions[missing[0]].error
            why += f": {text.escaped(error)}" if error else "."
            return CheckResult(each.check.key, each.check.title, each.weight, False, Markdown(why)), {}
        yours = frozenset([own, *partners])
        return _report(each, train(each, yours), calls, yours, [])
    # A partner is the student's only when both functions pass their public checks: a part whose
    # own function fails them trains with references, as its own exercise would.
    sound = functions[own].correct
    yours = frozenset([own, *(p for p in partners if sound and p in calls and functions[p].correct)])
    runs = train(each, yours)
    said = [f"It trains with your `{p}`, which passes its public checks." for p in sorted(yours - {own})]
    if yours != {own} and not _passed(runs, each.trainer):
        failed = next(run for run in runs if not run.passed)
        said = [
            f"With your `{p}` too (it passes its public checks), seed {failed.seed} did not learn: "
            f"{summary(failed)}. The seeds above trained with the reference's `{p}`."
            for p in sorted(yours - {own})
        ]
        yours = frozenset([own])
        runs = train(each, yours)
    return _report(each, runs, calls, yours, said)


def _report(
    each: Pending, runs: Sequence[Learning], calls: Mapping[str, Calls], yours: FrozenSet[str], said: List[str]
) -> Result:
    others = {p: calls[p] for p in partners_of(each.trainer) if p in yours}
    return report(runs, each.part, each.check, each.trainer, each.weight, calls[each.part.function], others, said)


def _given(trainer: Trainer, yours: FrozenSet[str], references: Mapping[str, Calls]) -> List[str]:
    """The partners train() is given: the student's, and the reference's where it has no default."""
    parameters = inspect.signature(trainer.train).parameters

    def own_default(p: str) -> bool:
        return p in parameters and parameters[p].default is not inspect.Parameter.empty

    return [p for p in partners_of(trainer) if p in yours or (p in references and not own_default(p))]


def _passed(runs: Sequence[Learning], trainer: Trainer) -> bool:
    return len(runs) == len(trainer.GRADING_SEEDS) and all(run.passed for run in runs)
