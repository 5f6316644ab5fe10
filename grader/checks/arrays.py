"""The library's checks for an array function: numpy arrays and numbers in, an array out, no gradient.

The same checks a loss has, read for an array: the interface is the shape and a
floating-point dtype, the value is every entry within its tolerance (each case's
expected answer says how far), and the purity check is the loss's own. The speed
check is an array function's alone: the time of a loss's call leaves out its backward.
"""

from __future__ import annotations

from typing import Optional, Sequence

import numpy as np

from grader.calling.answer import Answer
from grader.checks.part import Library
from grader.checks.purity import check_purity
from grader.checks.speed import check_speed
from grader.checks.trials import Judged, Trial, over_cases
from grader.text import code, fmt

WHAT = "floating-point numbers of the expected shape"


def judge(
    uses: Library, trials: Sequence[Trial], repeat: Optional[Trial], success: str = "", budget_s: float = 0
) -> Judged:
    """The library check `uses` over an array function's trials (Part allows no other)."""
    if uses == "speed":
        return check_speed(trials, budget_s)
    if uses == "interface":
        return over_cases(list(trials), interface_problem, f"Returns {WHAT} on every case.")
    if uses == "purity":
        return check_purity(list(trials), repeat)
    return over_cases(list(trials), value_problem, success or "Every entry equals the reference on every case.")


def interface_problem(trial: Trial, answer: Answer) -> Optional[str]:
    expected = trial.expected.shape
    if answer.value is None or answer.shape is None:
        return no_numbers(answer)
    if answer.shape != expected:
        single = ", a single number where every step needs its own" if answer.shape == () else ""
        return f"returned shape {answer.shape}{single}; expected {expected}"
    if answer.dtype and not any(word in answer.dtype for word in ("float", "complex")):
        return (
            f"returned {code(answer.dtype)} numbers; discounted sums have fractions, which an integer "
            "array truncates (make the output with a float dtype)"
        )
    return None


def no_numbers(answer: Answer) -> str:
    """Why an array function's answer holds no array of numbers, as words after "the function"."""
    if answer.returned == "NoneType":
        return "returned `None` (is a `return` missing?)"
    return f"returned a {code(answer.returned or 'value')}, not an array of numbers"


def value_problem(trial: Trial, answer: Answer) -> Optional[str]:
    expected, value = trial.expected, answer.value
    if value is None or np.shape(value) != expected.shape:
        return interface_problem(trial, answer) or "returned no array of the expected shape"
    if expected.value_matches(value):
        return None
    wanted = np.asarray(expected.value, np.float64)
    bad = ~np.isfinite(value)
    misses = np.where(bad, np.inf, expected.misses(np.where(bad, 0.0, value)))
    at = np.unravel_index(int(np.argmax(misses)), value.shape) if value.ndim else ()
    place = f"entry [{', '.join(str(int(i)) for i in at)}]" if at else "the value"
    wrong = int(np.sum(misses > 0))
    count = f" ({wrong} of {value.size} entries are off)" if value.size > 1 else ""
    return f"{place} should be {fmt(wanted[at])}, yours is {fmt(value[at])}{count}"
