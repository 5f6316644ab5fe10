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
from typing import Any, Callable, Dict, FrozenSet, List, Mapping, NamedTuple, Optional, Sequence, Tuple

from grader import text
from grader.calling.oracle import Oracle
from grader.checks.part import Check, Part
from grader.checks.verdicts import CheckResult
from grader.learning.check import Calls, Trainer, learned, partners_of, report
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

    def yours(self) -> Calls:
        assert self.oracle is not None  # chosen only when the upload has it
        return Calls(self.oracle, self.part)

    def references(self) -> Calls:
        assert self.reference is not None  # given only where there is one (_given)
        return Calls(self.reference, self.part)


class Trained(NamedTuple):
    """One training: its runs, and the student's functions as it called them (each remembering why
    a call of that training gave nothing usable, which its checks' feedback says)."""

    runs: Sequence[Learning]
    calls: Dict[str, Calls]


def run_checks(pending: Sequence[Pending], functions: Mapping[str, Function]) -> List[Result]:
    """Each pending check's result, in order, training each distinct combination of functions once."""
    done: Dict[Tuple, Trained] = {}

    def train(each: Pending, yours: FrozenSet[str]) -> Trained:
        key = (getattr(each.trainer, "TRAINING", None) or each.trainer, each.trainer.GRADING_SEEDS, yours)
        if key not in done:
            calls = {p: functions[p].yours() for p in yours}
            others: Dict[str, Any] = {
                p: calls[p] if p in yours else functions[p].references() for p in _given(each.trainer, yours, functions)
            }
            done[key] = Trained(
                each.trainer.train(calls[each.part.function], each.trainer.GRADING_SEEDS, **others), calls
            )
        return done[key]

    return [_one(each, functions, train) for each in pending]


def _one(
    each: Pending, functions: Mapping[str, Function], train: Callable[[Pending, FrozenSet[str]], Trained]
) -> Result:
    own, partners = each.part.function, partners_of(each.trainer)
    if each.check.together:
        missing = [p for p in partners if not _uploaded(p, functions)]
        if missing:
            why = f"This check trains with your `{missing[0]}` too, which could not be imported"
            error = functions[missing[0]].error if missing[0] in functions else ""
            why += f": {text.escaped(error)}" if error else "."
            return CheckResult(each.check.key, each.check.title, each.weight, False, Markdown(why)), {}
        return _report(each, train(each, frozenset([own, *partners])), [])
    # A partner is the student's only when both functions pass their public checks: a part whose
    # own function fails them trains with references, as its own exercise would.
    sound = functions[own].correct
    yours = frozenset([own, *(p for p in partners if sound and _uploaded(p, functions) and functions[p].correct)])
    trained = train(each, yours)
    said = [f"It trains with your `{p}`, which passes its public checks." for p in sorted(yours - {own})]
    if yours != {own} and not learned(trained.runs, each.trainer):
        failed = next(run for run in trained.runs if not run.passed)
        said = [
            f"With your `{p}` too (it passes its public checks), seed {failed.seed} did not learn: "
            f"{summary(failed)}. The seeds above trained with the reference's `{p}`."
            for p in sorted(yours - {own})
        ]
        trained = train(each, frozenset([own]))
    return _report(each, trained, said)


def _report(each: Pending, trained: Trained, said: List[str]) -> Result:
    own = each.part.function
    others = {p: calls for p, calls in trained.calls.items() if p != own}
    return report(trained.runs, each.part, each.check, each.trainer, each.weight, trained.calls[own], others, said)


def _uploaded(function: str, functions: Mapping[str, Function]) -> bool:
    """The upload has this function, and it imported."""
    return function in functions and functions[function].oracle is not None


def _given(trainer: Trainer, yours: FrozenSet[str], functions: Mapping[str, Function]) -> List[str]:
    """The partners train() is given: the student's, and the reference's where it has no default."""
    parameters = inspect.signature(trainer.train).parameters

    def own_default(p: str) -> bool:
        return p in parameters and parameters[p].default is not inspect.Parameter.empty

    def reference(p: str) -> bool:
        return p in functions and functions[p].reference is not None

    return [p for p in partners_of(trainer) if p in yours or (reference(p) and not own_default(p))]
