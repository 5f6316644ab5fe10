"""The purity check: no input changed in place, and the same answer twice on the same tensors."""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.checks.trials import Hidden, Judged, Trial, problem, where
from grader.text import fmt

MODIFIED = ("modified an input in place", "modified an input in place")  # trials.Hidden's verbs
REPEAT_RTOL = 1e-6  # the same call twice on the same tensors: only nondeterministic kernels differ


def check_purity(trials: List[Trial], repeat: Optional[Trial]) -> Judged:
    """No input changed in place, and the same answer when called again on the very same tensors
    (a change that alters the result shows in the numbers, whatever the child reports). Of the
    hidden cases only whether one changed an input is said: which input, or how many cases, would
    tell something about the hidden inputs. Without repeat (the hidden cases alone, held.py), only
    in-place changes are looked at."""
    mutated = [t for t in trials if isinstance(t.outcome, Answer) and t.outcome.mutated]
    total = sum(1 for t in trials if t.case.hidden)
    hidden = Hidden(total, tuple(t.case for t in mutated if t.case.hidden), MODIFIED, "which input") if total else None
    if mutated:
        public = [t for t in mutated if not t.case.hidden]
        lines = []
        if public:
            changed = public[0].outcome
            assert isinstance(changed, Answer)  # only answers are in mutated
            names = ", ".join(f"`{name}`" for name in changed.mutated)
            lines.append(
                f"On {public[0].case.label}, the function modified {names} in place; the caller still needs them."
            )
        if hidden and hidden.failed:
            lines.append(hidden.said())
        return False, " ".join(lines), hidden
    if repeat is None:
        return True, "No case modified an input in place.", hidden
    first, again = trials[0].outcome, repeat.outcome
    failed = first if problem(first) else again
    issue = problem(failed)
    if issue:
        block = where(failed)
        return False, f"Not checked: the function {issue}." + (f"\n\n{block}" if block else ""), hidden
    assert isinstance(first, Answer) and isinstance(again, Answer)  # problem() is None only for an answer
    if all((o.value is None or not o.value.size) and not o.grads for o in (first, again)):  # complex, empty
        return False, f"Not checked: on {trials[0].case.label}, the function returned no number to compare.", hidden
    difference = _difference(first, again)
    if difference:
        return (
            False,
            f"Called twice on {trials[0].case.label} with the same tensors, the function gave two "
            f"different answers ({difference}): does it change its inputs in place, or keep state between calls?",
            hidden,
        )
    return True, "Inputs are left unchanged and a second call gives the same answer.", hidden


def _same(a: Optional[np.ndarray], b: Optional[np.ndarray]) -> bool:
    """The same numbers, up to nondeterministic kernels; NaN where the other has NaN counts as the same."""
    if a is None or b is None:
        return a is b
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=REPEAT_RTOL, atol=0, equal_nan=True))


def _difference(first: Answer, again: Answer) -> str:
    """How two answers differ, in words and numbers; "" when they do not."""
    if not _same(first.value, again.value):
        if first.scalar is None or again.scalar is None:
            return "its values differ"
        return "losses {} and {}".format(*_distinct(first.scalar, again.scalar))
    loss = f"the same loss, {fmt(first.scalar)}, both times" if first.scalar is not None else "the same values"
    for name in sorted(first.grads.keys() | again.grads.keys()):
        a, b = first.grads.get(name), again.grads.get(name)
        if a is None or b is None:
            return f"{loss}, but a gradient with respect to {name} only the {'second' if a is None else 'first'} time"
        if not _same(a, b):
            at = np.unravel_index(np.argmax(~np.isclose(a, b, rtol=REPEAT_RTOL, atol=0, equal_nan=True)), a.shape)
            index = ", ".join(str(int(i)) for i in at)
            shown = "{} the first time and {} the second".format(*_distinct(a[at], b[at]))
            return f"{loss}, but dL/d{name}[{index}] was {shown}"
    return ""


def _distinct(a: float, b: float) -> Tuple[str, str]:
    """Two different numbers with as many digits as it takes to tell them apart (six at least)."""
    for digits in range(6, 18):
        shown = f"{a + 0.0:.{digits}g}", f"{b + 0.0:.{digits}g}"
        if shown[0] != shown[1]:
            break
    return shown
