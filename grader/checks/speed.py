"""The speed check: the function's CPU time on the largest public cases, against a stated budget.

A plain loop over the steps is fine: it takes milliseconds. Points are lost only past the
part's budget (Part.budget_s) on the largest case. Within it, a time that grows like the square
of the size (measured on two sizes) is said, with the numbers, since that is what a longer
trajectory would cost. The time is the CPU time the call took (answer.cpu_s), so a grader busy
with other work does not make a submission slow. In the sandbox the kernel counts it, read by the
grader (Session.cpu_s), since anything the child reports could be forged by the code it runs: the
main thread's, or all the child's threads' when that is more (work moved to a thread of its own). Only public cases are timed: how
long a hidden case took would tell something about its input.
"""

from __future__ import annotations

import math
from typing import Optional, Sequence

from grader.calling.answer import Answer
from grader.calling.oracle import Outcome
from grader.checks.trials import Judged, Trial, problem, where

# Below this, a time is mostly the call's fixed cost and a ratio of two says nothing of growth.
GROWTH_FLOOR_S = 0.02
QUADRATIC = 1.5  # the exponent of size in time from which growth is called quadratic (linear 1, quadratic 2)


def check_speed(trials: Sequence[Trial], budget_s: float) -> Judged:
    """Pass when the largest public case takes at most budget_s of CPU; say when time grows quadratically.
    A size timed more than once counts its fastest time: a busy machine only ever adds to one."""
    timed = sorted((t for t in trials if not t.case.hidden), key=lambda t: t.case.rows)
    if not timed:
        raise ValueError("the speed check has no public case to time")
    failed = next((t for t in timed if problem(t.outcome) or _no_value(t.outcome)), None)
    if failed is not None:
        block = where(failed.outcome)
        why = problem(failed.outcome) or "returned no array of numbers"
        said = f"Not timed: on {failed.case.label}, the function {why}; the budget is {_s(budget_s)}."
        return False, said + (f"\n\n{block}" if block else ""), None
    small, large = _fastest(timed, timed[0].case.rows), _fastest(timed, timed[-1].case.rows)
    seconds = _cpu(large)
    lines = [f"On {large.case.label} the function took {_s(seconds)} of CPU time; the budget is {_s(budget_s)}."]
    growth = _growth(small, large)
    if growth:
        lines.append(growth)
    if seconds > budget_s:
        lines.append("Past the budget: a single pass over the steps, from the last to the first, takes milliseconds.")
    return seconds <= budget_s, " ".join(lines), None


def _fastest(timed: Sequence[Trial], rows: int) -> Trial:
    return min((t for t in timed if t.case.rows == rows), key=_cpu)


def _growth(small: Trial, large: Trial) -> Optional[str]:
    """The sentences on a time that grows quadratically from the smaller case to the larger, if it does."""
    if large.case.rows <= small.case.rows or _cpu(large) < GROWTH_FLOOR_S or _cpu(small) <= 0:
        return None
    times, sizes = _cpu(large) / _cpu(small), large.case.rows / small.case.rows
    if math.log(times) / math.log(sizes) < QUADRATIC:
        return None
    return (
        f"On {small.case.label} it took {_s(_cpu(small))}: {times:.1f} times as long for {sizes:g} times the "
        f"size (a time proportional to the size would be {sizes:g} times as long). Its time grows about as the "
        "square of the size or faster, as a loop inside a loop over the steps, or a matrix of every pair of "
        "steps, does."
    )


def _cpu(trial: Trial) -> float:
    assert isinstance(trial.outcome, Answer)  # check_speed times only answers
    return trial.outcome.cpu_s


def _s(seconds: float) -> str:
    return f"{seconds:.3g} s" if seconds >= 0.1 else f"{seconds * 1000:.2g} ms"


def _no_value(outcome: Outcome) -> bool:
    """An answer with no numbers in it (None, a string): there is nothing the time was spent on."""
    return isinstance(outcome, Answer) and outcome.value is None and outcome.shape is None
