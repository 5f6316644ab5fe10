"""The graded checks: each turns the answers to the cases into a pass or fail and feedback.

Every case is asked once; the checks are pure functions of those trials, so
the interface, value and gradient checks read the same answers. Asking comes in
two phases (assess.py orders them): ``ask_public`` asks everything whose
answers may be shown, ``ask_hidden`` the hidden cases; of those a student is told
only whether any failed a check (trials.Hidden).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, cast

import numpy as np

from grader.calling.answer import Answer
from grader.calling.oracle import Oracle
from grader.checks import arrays
from grader.checks.cases import Case, CaseSet, Expected, negligible
from grader.checks.part import Check, Library, Part
from grader.checks.purity import check_purity
from grader.checks.trials import Hidden, Judged, Trial, over_cases, quoted
from grader.contract import Contract
from grader.text import Markdown, code, fmt

# The finite-difference check of a reported gradient: a central difference of this step, and how
# far it may differ (float32 loss values, a curved loss) before the gradient is called inconsistent.
FD_STEP, FD_RTOL, FD_ATOL = 1e-2, 0.02, 1e-4


@dataclass(frozen=True)
class CheckResult:
    key: str
    title: str
    max_score: float
    passed: bool
    output: Markdown  # for the student; student text in it only through text.py's writers
    visibility: str = "visible"  # Gradescope's: when the student sees this test (held.py holds some back)
    tags: Tuple[str, ...] = ()  # the mistake IDs its feedback names
    hidden: Optional[Hidden] = None  # how it did on its hidden cases, for the course staff; None: it has none

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0


@dataclass(frozen=True)
class Public:
    """The answers of the public phase that the checks read."""

    trials: Dict[str, List[Trial]]  # per kind, the public cases in order, the part's first kind first
    repeat: Trial  # the first case again, on the very same tensors
    consistency: Optional[str]  # what the finite difference found wrong, if anything
    probe: Trial  # the case the finite difference moved (the first with more than one row)


def ask(oracle: Oracle, cases: Sequence[Tuple[Case, Expected]]) -> List[Trial]:
    """One call per case."""
    return [Trial(case, expected, oracle.call(*case.arrays)) for case, expected in cases]


def ask_public(oracle: Oracle, cases: CaseSet, contract: Contract) -> Public:
    """The first public case twice (the second time on the very same tensors), every other public
    case, and a finite difference on one of them. cases: per kind, the part's first kind first."""
    public = {kind: [pair for pair in pairs if not pair[0].hidden] for kind, pairs in cases.items()}
    lead = next(iter(public))
    case, expected = public[lead][0]
    first = Trial(case, expected, oracle.call(*case.arrays))
    repeat = Trial(case, expected, oracle.call(*case.arrays, again=True))
    trials = {lead: [first] + ask(oracle, public[lead][1:])}
    trials.update((kind, ask(oracle, pairs)) for kind, pairs in public.items() if kind != lead)
    probe = next((t for t in trials[lead] if t.case.rows > 1), first)
    return Public(trials, repeat, consistency_problem(oracle, probe, contract), probe)


def ask_hidden(oracle: Oracle, cases: CaseSet) -> Dict[str, List[Trial]]:
    """One call per hidden case, per kind. The oracle's printed output must never be shown."""
    return {kind: ask(oracle, [pair for pair in pairs if pair[0].hidden]) for kind, pairs in cases.items()}


def interface_problem(answer: Answer, contract: Contract, larger: Optional[Trial] = None) -> Optional[str]:
    """What is wrong with the result's form, if anything; larger: a public case where the result
    held more than one number, which decides the fix of a one-number result."""
    if not answer.tensor:
        hint = (
            " (`.item()`, `float(...)` or numpy break the gradient)"
            if answer.returned in ("float", "float64", "ndarray")
            else ""
        )
        return f"returned a {code(answer.returned or 'value')}, not a `torch.Tensor`{hint}"
    assert answer.shape is not None  # Answer.parse: a tensor has a shape
    if answer.shape != ():
        return f"returned a tensor of shape {tuple(answer.shape)}{_held(answer, larger)}; the loss must be a 0-dim tensor (a scalar)"
    if not answer.dtype or "float" not in answer.dtype:
        return f"returned a {code(answer.dtype or '')} tensor; the loss must be floating point"
    if answer.backward_error:
        return f"backpropagating through the result raised {quoted(answer.backward_error)}"
    if not answer.connected:
        return (
            f"returned a tensor that is not connected to {_names(contract.differentiable)}, so autograd gives "
            "no gradient (detached, `torch.no_grad()`, or rebuilt from numbers)"
        )
    return None


def _held(answer: Answer, larger: Optional[Trial]) -> str:
    """What a non-scalar result holds: one number on every case needs `.squeeze()`, many a reduction."""
    if answer.value is None:
        return ""
    if answer.value.size > 1:
        return f", {answer.value.size} numbers rather than one"
    if larger is None or not isinstance(larger.outcome, Answer) or larger.outcome.value is None:
        return ", a single number but not a 0-dim tensor (`.squeeze()` makes it one)"
    many, where = larger.outcome.value.size, larger.case.label
    return f", a single number here but {many} on {where}: they need a reduction such as `.mean()`"


def _larger(trials: Sequence[Trial]) -> Optional[Trial]:
    """The first public case whose result held more than one number, if any."""
    held = [(t, t.outcome.value) for t in trials if not t.case.hidden and isinstance(t.outcome, Answer)]
    return next((t for t, value in held if value is not None and value.size > 1), None)


def _no_gradient(answer: Answer, name: str) -> str:
    """Why there is no gradient: a result of many numbers is not differentiated, whatever its graph."""
    if answer.tensor and answer.value is not None and answer.value.size > 1:
        shape, size = tuple(answer.shape or ()), answer.value.size
        return f"no gradient was taken: your result has shape {shape}, {size} numbers; `backward()` needs one"
    if not answer.tensor:
        return f"there is no gradient: your function returned a {code(answer.returned or 'value')}, not a tensor"
    return f"there is no gradient with respect to {name}"


def _names(names: Sequence[str]) -> str:
    return " and ".join(f"`{name}`" for name in names)


def check_interface(trials: List[Trial], consistency: Optional[str], contract: Contract) -> Judged:
    passed, text, hidden = over_cases(
        trials,
        lambda t, answer: interface_problem(answer, contract, _larger(trials)),
        f"Returns a 0-dim floating-point tensor whose gradient reaches {_names(contract.differentiable)}.",
    )
    if passed and consistency:
        return False, consistency, hidden
    return passed, text, hidden


def consistency_problem(oracle: Oracle, trial: Trial, contract: Contract, step: float = FD_STEP) -> Optional[str]:
    """Whether the reported gradients are the derivative of the reported loss, by a central
    difference along a random direction: what a child says about itself is not taken on trust."""
    answer = trial.outcome
    if not isinstance(answer, Answer) or not answer.grads or answer.scalar is None:
        return None  # nothing claimed, nothing to check
    rng = np.random.default_rng(0)
    directions = {
        name: rng.choice([-1.0, 1.0], size=array.shape)
        for name, array in zip(contract.names, trial.case.arrays)
        if name in contract.differentiable
    }
    values: List[Optional[float]] = []
    for sign in (1, -1):
        moved = [
            (array + sign * step * directions[name]).astype(np.float32) if name in directions else array
            for name, array in zip(contract.names, trial.case.arrays)
        ]
        outcome = oracle.call(*moved)
        values.append(outcome.scalar if isinstance(outcome, Answer) else None)
    plus, minus = values
    if plus is None or not np.isfinite(plus) or minus is None or not np.isfinite(minus):
        return None  # no value to compare; the value checks report that
    measured = (plus - minus) / (2 * step)
    claimed = float(sum(np.sum(answer.grads[name] * d) for name, d in directions.items()))
    if abs(measured - claimed) <= FD_RTOL * (abs(measured) + abs(claimed)) + FD_ATOL * (1 + abs(answer.scalar)):
        return None
    # Inconsistent: asked once more, a loss that is no function of its inputs says so itself.
    again = oracle.call(*trial.case.arrays)
    shown = again.scalar if isinstance(again, Answer) else None
    if shown is None or not np.isclose(shown, answer.scalar, 1e-6, 0, True):
        then = "no value" if shown is None else fmt(shown)
        return (
            f"On {trial.case.label}, your loss gave {fmt(answer.scalar)} and then {then} for the very same "
            "inputs, so no gradient can be the rate at which it changes. Does it draw random numbers or keep "
            "state between calls?"
        )
    return (
        f"On {trial.case.label}, the gradient that comes with your loss does not match how its value "
        f"changes: moving {_names(contract.differentiable)} {step:g} along a random direction changes the "
        f"loss at a rate of {fmt(measured)}, while the gradient says {fmt(claimed)}. Does part of the loss "
        "change with its inputs out of autograd's sight (`.detach()`, `.item()`, NumPy), or use a custom backward?"
    )


def check_value(trials: List[Trial]) -> Judged:
    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got = answer.scalar
        if trial.expected.loss_matches(got):
            return None
        shown = "no single number" if got is None else fmt(got)
        return f"expected loss {fmt(trial.expected.loss)}, got {shown}"

    return over_cases(trials, verdict, "The loss equals the reference on every case.")


def check_gradient(trials: List[Trial]) -> Judged:
    names = " and ".join(f"dL/d{name}" for name in trials[0].expected.grads) if trials else "The gradient"
    verb = "equal" if trials and len(trials[0].expected.grads) > 1 else "equals"
    return over_cases(trials, _gradient_verdict, f"{names} {verb} the reference on every case.")


def _gradient_verdict(trial: Trial, answer: Answer) -> Optional[str]:
    """What is wrong with the first gradient that is wrong."""
    for name, expected in trial.expected.grads.items():
        grad = answer.grads.get(name)
        if trial.expected.grad_matches_one(name, grad):
            continue
        if grad is None:
            return _no_gradient(answer, name)
        if not np.all(np.isfinite(grad)):
            return f"the gradient dL/d{name} contains NaN or infinity"
        at = np.unravel_index(np.argmax(np.abs(grad - expected)), grad.shape)
        index = ", ".join(str(int(i)) for i in at)
        zero = f" (your {_zero_gradient(grad, expected)})" if negligible(grad, expected) else ""
        return f"dL/d{name}[{index}] should be {fmt(expected[at])}, yours is {fmt(grad[at])}{zero}"
    return None


def _zero_gradient(grad: np.ndarray, expected: np.ndarray) -> str:
    """Why a gradient that negligible() calls zero is zero, in numbers."""
    if not np.any(grad):
        return "gradient is zero everywhere"
    return (
        f"gradient is zero next to the reference's (its largest entry is {fmt(np.max(np.abs(grad)))}, "
        f"the reference's {fmt(np.max(np.abs(expected)))})"
    )


def check_sampled_actions(trials: List[Trial], not_zero: str) -> Judged:
    """not_zero: the exercise's reason why the correct loss is not zero on sampled actions."""

    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got, grads, expected = answer.scalar, answer.grads, trial.expected
        if not grads:
            return _no_gradient(answer, " or ".join(expected.grads))
        if expected.loss_matches(got) and expected.grad_matches(grads):
            return None
        flat = [name for name in expected.grads if name in grads and negligible(grads[name], expected.grads[name])]
        if got is not None and negligible(got, expected.loss):
            zero = "loss is 0" if got == 0 else f"loss, {fmt(got)}, is zero next to the reference's"
        elif len(flat) == len(expected.grads):
            zero = _zero_gradient(grads[flat[0]], expected.grads[flat[0]])
        else:
            zero = ""
        if zero:
            return (
                f"your {zero}, although the actions were sampled from the policy: expected loss "
                f"{fmt(expected.loss)}" + (f"; {not_zero}" if not_zero else "")
            )
        if not expected.loss_matches(got):
            return f"expected loss {fmt(expected.loss)}, got {fmt(got) if got is not None else 'no single number'}"
        return _gradient_verdict(trial, answer)

    return over_cases(trials, verdict, "The loss and its gradient are non-zero and correct on sampled actions.")


def check_stability(trials: List[Trial], ordinary: List[Trial], stable: str, advice: str) -> Judged:
    """Finite and right on the extreme cases. advice, the exercise's fix for a loss that overflows
    there, is given only when that can be the cause: the loss is a finite number on every ordinary
    public case that answered (else what breaks it is not the extreme inputs)."""
    broken = next((t for t in ordinary if not t.case.hidden and not _finite(t)), None)

    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got, expected = answer.scalar, fmt(trial.expected.loss)
        if got is None:
            shape = f" but a tensor of shape {tuple(answer.shape)}" if answer.tensor and answer.shape else ""
            return f"expected loss {expected}, got no single number{shape}"
        if not np.isfinite(got):
            if broken is None:
                return f"the loss is {fmt(got)} (expected {expected}): {advice}"
            return f"the loss is {fmt(got)} (expected {expected}), as it is on {broken.case.label}, an ordinary case"
        if not trial.expected.loss_matches(got):
            return f"expected loss {expected}, got {fmt(got)}"
        return _gradient_verdict(trial, answer)

    return over_cases(trials, verdict, stable)


def _finite(trial: Trial) -> bool:
    """No value that is NaN or infinite, when the function answered (a failure is said elsewhere)."""
    answer = trial.outcome
    return not isinstance(answer, Answer) or answer.value is None or bool(np.all(np.isfinite(answer.value)))


def score(public: Public, hidden: Dict[str, List[Trial]], weights: Dict[str, float], part: Part) -> List[CheckResult]:
    """Every check but learning, from the answers of both phases."""
    trials = {kind: public.trials[kind] + hidden.get(kind, []) for kind in public.trials}
    return judge(trials, public.repeat, public.consistency, weights, part)


def judge(
    trials: Dict[str, List[Trial]],
    repeat: Optional[Trial],
    consistency: Optional[str],
    weights: Mapping[str, float],
    part: Part,
) -> List[CheckResult]:
    """The part's checks in weights (but learning) over these trials per kind; repeat: the first
    public case asked again (None: the purity check looks at in-place changes alone)."""
    found = []
    for check in part.checks:
        if check.key not in weights or check.judge == "learning":
            continue
        on = [trial for kind in check.kinds for trial in trials.get(kind, [])]
        passed, output, hidden = _judged(check, on, trials, repeat, consistency, part)
        found.append(_result(check.key, check.title, float(weights[check.key]), passed, output, hidden))
    return found


def _judged(
    check: Check,
    on: List[Trial],
    trials: Dict[str, List[Trial]],
    repeat: Optional[Trial],
    consistency: Optional[str],
    part: Part,
) -> Judged:
    """One declared check over its trials: its own judge, or the library's it names."""
    if check.own is not None:
        return check.own(on)
    library = cast(Library, check.judge)  # Check: a check without a judge of its own is the library's
    if not part.contract.loss:
        return arrays.judge(library, on, repeat, part.stable if library == "stability" else "", part.budget_s)
    if library == "interface":
        return check_interface(on, consistency, part.contract)
    if library == "value":
        return check_value(on)
    if library == "gradient":
        return check_gradient(on)
    if library == "sampled_actions":
        return check_sampled_actions(on, part.sampled_not_zero)
    if library == "stability":
        return check_stability(on, trials.get(part.kinds[0], []), part.stable, part.unstable_advice)
    return check_purity(on, repeat)


def _result(key: str, title: str, weight: float, passed: bool, text: str, hidden: Optional[Hidden]) -> CheckResult:
    """A check's result: its text is the checks' own words, any answer's text in it put in by
    code, escaped or fenced (trials.py)."""
    return CheckResult(key, title, weight, passed, Markdown(text), hidden=hidden)
