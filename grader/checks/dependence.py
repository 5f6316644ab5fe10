"""Whether the loss depends on its differentiable inputs at all; one that does not earns nothing.

A loss that does not depend on them (its value stays when they are replaced by
other values, and its gradient is zero next to the reference's on every case,
public and hidden: a constant, ``x.sum() * 0``, a sum that cancels exactly) can
never train, so the points for its form (a scalar tensor, no side effects) are
not given either: every check scores zero and says why. A loss computed outside
autograd (through numpy, ``.item()``) has no gradient but a value that follows
its inputs; it is scored as usual.
"""

from __future__ import annotations

import dataclasses
from typing import Optional, Sequence, Tuple

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import Oracle, Outcome
from grader.checks.cases import ZERO_RTOL, negligible
from grader.checks.trials import Trial
from grader.checks.verdicts import CheckResult, Public
from grader.contract import Contract
from grader.text import Markdown, fmt

CHANGE_SEED = 0  # the other values the differentiable inputs are replaced by: fixed, like every case


def changed_arrays(trial: Trial, contract: Contract) -> Tuple[np.ndarray, ...]:
    """The case's arrays with each differentiable one replaced by other values of about its size."""
    rng = np.random.default_rng(CHANGE_SEED)
    return tuple(
        (array.mean() + max(float(array.std()), 1.0) * rng.standard_normal(array.shape)).astype(array.dtype)
        if name in contract.differentiable
        else array
        for name, array in zip(contract.names, trial.case.arrays)
    )


def ask_changed(oracle: Oracle, public: Public, contract: Contract) -> Optional[Tuple[Trial, Outcome]]:
    """The first public case that gave a value, and the loss on it with its differentiable inputs
    changed; None for a function without gradients, which is graded on its values alone."""
    if not contract.loss:
        return None
    lead = next(iter(public.trials.values()))
    trial = next((t for t in lead if _value(t.outcome) is not None), public.probe)
    return trial, oracle.call(*changed_arrays(trial, contract))


def _value(outcome: Outcome) -> Optional[np.ndarray]:
    """The numbers a call returned, if it returned any."""
    if isinstance(outcome, Answer) and outcome.error is None and outcome.value is not None and outcome.value.size:
        return outcome.value
    return None


def independence(trial: Trial, changed: Outcome, trials: Sequence[Trial], contract: Contract) -> Optional[str]:
    """Why the loss earns nothing, in numbers; None when it is shown to depend on its differentiable
    inputs: a gradient that is not zero next to the reference's on some case, or a value that moves
    when they change. trial: the public case asked again with them changed (its answer: changed);
    trials: every case, hidden ones included, of which the text says only what the verdict does
    (no count: see trials.Hidden). A call that fails shows nothing, so no attack on the changed
    call can earn the form points of a constant."""
    answered = [t for t in trials if _value(t.outcome) is not None]
    grads = [
        (t, name, grad) for t in answered if isinstance(t.outcome, Answer) for name, grad in t.outcome.grads.items()
    ]
    if not answered or any(not negligible(grad, t.expected.grads[name]) for t, name, grad in grads):
        return None
    names = " and ".join(f"`{name}`" for name in contract.differentiable)
    public = [t for t in trials if not t.case.hidden]
    shown = [t for t in answered if not t.case.hidden]
    where = (
        "on every public case"
        if len(shown) == len(public)
        else f"on every public case that gave a value ({len(shown)} of {len(public)})"
    )
    gradient = (
        _gradient([grad for grad in grads if not grad[0].case.hidden], where)
        if shown
        else "no public case gave a value"
    )
    if len(public) < len(trials):  # the self-check runs no hidden case
        gradient += "; no hidden case gave a gradient that is not zero next to the reference's"
    before, after = _value(trial.outcome), _value(changed)
    if before is None or after is None:
        return (
            f"Nothing shows that your loss depends on {names}, so it earns no points, not even for its form: "
            f"{gradient}, and with {names} replaced by other values on {trial.case.label} the function gave no value."
        )
    moved = after - before if after.shape == before.shape else None
    if moved is None or not negligible(moved, trial.expected.loss):
        return None
    value = fmt(float(np.mean(before))) + (f" (to within {fmt(float(np.max(np.abs(moved))))})" if np.any(moved) else "")
    return (
        f"Your loss does not depend on {names}, so it cannot train and earns no points, not even for its "
        f"form. With {names} replaced by other values on {trial.case.label}, it stays {value}, and {gradient}."
    )


def _gradient(grads: Sequence[Tuple[Trial, str, np.ndarray]], where: str) -> str:
    """What the gradients of a loss that shows no dependence on its inputs are on the public cases
    where it answered."""
    if not grads:
        return f"it has no gradient ({where})"
    if not any(np.any(grad) for _, _, grad in grads):
        return f"its gradient is exactly zero {where}"
    largest = max(np.max(np.abs(g)) / np.max(np.abs(t.expected.grads[n])) for t, n, g in grads)
    return (
        f"its gradient is zero next to the reference's {where} (below {ZERO_RTOL:g} of the reference's "
        f"largest entry; at most {largest:.2g} of it on the public cases)"
    )


PASSED_ALONE = "On its own, this check found: "  # what a passing check says once zeroed (a terminal shows it passed)


def unscored(check: CheckResult, why: str) -> CheckResult:
    """The check at zero, saying why first (a failing one too: it would score nothing if it passed).
    What a passing check found is kept, said to be the form alone, so no sentence reads as a pass."""
    found = f"{PASSED_ALONE}{check.output}" if check.passed else check.output
    return dataclasses.replace(check, passed=False, output=Markdown(f"{why}\n\n{found}"))
