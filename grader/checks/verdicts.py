"""The graded checks: each turns the answers to the cases into a pass or fail and feedback.

Every case is asked once; the checks are pure functions of those trials, so
the interface, value and gradient checks read the same answers. Asking comes in
two phases (assess.py orders them): ``ask_public`` asks everything whose
answers may be shown, ``ask_hidden`` the hidden cases; a hidden case's result
reaches the feedback only as a count.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from grader.checks.answer import Answer
from grader.checks.cases import Case, CaseSet, Expected
from grader.checks.exercise import Exercise
from grader.checks.oracle import Failure, Oracle, Outcome
from grader.contract import Contract
from grader.text import fmt

# The finite-difference check of a reported gradient: a central difference of this step, and how
# far it may differ (float32 loss values, a curved loss) before the gradient is called inconsistent.
FD_STEP, FD_RTOL, FD_ATOL = 1e-2, 0.02, 1e-4
REPEAT_RTOL = 1e-6  # the same call twice on the same tensors: only nondeterministic kernels differ


@dataclass(frozen=True)
class Trial:
    case: Case
    expected: Expected
    outcome: Outcome


@dataclass(frozen=True)
class CheckResult:
    key: str
    title: str
    max_score: float
    passed: bool
    output: str  # markdown, for the student

    @property
    def score(self) -> float:
        return self.max_score if self.passed else 0.0


@dataclass(frozen=True)
class Public:
    """The answers of the public phase that the checks read."""

    trials: Dict[str, List[Trial]]  # per kind, the public cases in order, the first policy case first
    repeat: Trial  # the first case again, on the very same tensors
    consistency: Optional[str]  # what the finite difference found wrong, if anything


def ask(oracle: Oracle, cases: Sequence[Tuple[Case, Expected]]) -> List[Trial]:
    """One call per case."""
    return [Trial(case, expected, oracle.call(*case.arrays)) for case, expected in cases]


def ask_public(oracle: Oracle, cases: CaseSet, contract: Contract) -> Public:
    """The first public case twice (the second time on the very same tensors), every other public
    case, and a finite difference on one of them."""
    public = {kind: [pair for pair in pairs if not pair[0].hidden] for kind, pairs in cases.items()}
    case, expected = public["policy"][0]
    first = Trial(case, expected, oracle.call(*case.arrays))
    repeat = Trial(case, expected, oracle.call(*case.arrays, again=True))
    trials = {"policy": [first] + ask(oracle, public["policy"][1:])}
    trials.update((kind, ask(oracle, pairs)) for kind, pairs in public.items() if kind != "policy")
    probe = next((t for t in trials["policy"] if t.case.rows > 1), first)
    return Public(trials, repeat, consistency_problem(oracle, probe, contract))


def ask_hidden(oracle: Oracle, cases: CaseSet) -> Dict[str, List[Trial]]:
    """One call per hidden case, per kind. The oracle's printed output must never be shown."""
    return {kind: ask(oracle, [pair for pair in pairs if pair[0].hidden]) for kind, pairs in cases.items()}


def problem(outcome: Outcome) -> Optional[str]:
    """Why this outcome has no usable result, as words after "the function"; None when it returned."""
    if isinstance(outcome, Failure):
        return f"did not answer: {outcome.message}"
    if outcome.error is not None:
        where = f"\n```\n{outcome.traceback.rstrip()}\n```" if outcome.traceback else ""
        if outcome.memory:
            return f"ran out of memory: `{outcome.error.splitlines()[-1]}`{where}"
        return f"raised `{outcome.error.splitlines()[-1]}`{where}"
    return None


def interface_problem(answer: Answer, contract: Contract) -> Optional[str]:
    if not answer.tensor:
        hint = (
            " (`.item()`, `float(...)` or numpy break the gradient)"
            if answer.returned in ("float", "float64", "ndarray")
            else ""
        )
        return f"returned a `{answer.returned}`, not a `torch.Tensor`{hint}"
    assert answer.shape is not None  # Answer.parse: a tensor has a shape
    if answer.shape != ():
        return f"returned a tensor of shape {tuple(answer.shape)}; the loss must be a 0-dim tensor (a scalar)"
    if not answer.dtype or "float" not in answer.dtype:
        return f"returned a `{answer.dtype}` tensor; the loss must be floating point"
    if answer.backward_error:
        return f"backpropagating through the result raised `{answer.backward_error.splitlines()[-1]}`"
    if not answer.connected:
        return (
            f"returned a tensor that is not connected to {_names(contract.differentiable)}, so autograd gives "
            "no gradient (detached, `torch.no_grad()`, or rebuilt from numbers)"
        )
    return None


def _names(names: Sequence[str]) -> str:
    return " and ".join(f"`{name}`" for name in names)


def check_interface(trials: List[Trial], consistency: Optional[str], contract: Contract) -> Tuple[bool, str]:
    passed, text = _over_cases(
        trials,
        lambda t, answer: interface_problem(answer, contract),
        f"Returns a 0-dim floating-point tensor whose gradient reaches {_names(contract.differentiable)}.",
    )
    if passed and consistency:
        return False, consistency
    return passed, text


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
    return (
        f"On {trial.case.label}, the gradient that comes with your loss does not match how its value "
        f"changes: moving {_names(contract.differentiable)} {step:g} along a random direction changes the "
        f"loss at a rate of {fmt(measured)}, while the gradient says {fmt(claimed)}. Is part of the loss "
        "computed outside autograd, or does it use a custom backward?"
    )


def check_value(trials: List[Trial]) -> Tuple[bool, str]:
    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got = answer.scalar
        if trial.expected.loss_matches(got):
            return None
        shown = "no single number" if got is None else fmt(got)
        return f"expected loss {fmt(trial.expected.loss)}, got {shown}"

    return _over_cases(trials, verdict, "The loss equals the reference on every case.")


def check_gradient(trials: List[Trial]) -> Tuple[bool, str]:
    names = " and ".join(f"dL/d{name}" for name in trials[0].expected.grads) if trials else "The gradient"
    verb = "equal" if trials and len(trials[0].expected.grads) > 1 else "equals"
    return _over_cases(trials, _gradient_verdict, f"{names} {verb} the reference on every case.")


def _gradient_verdict(trial: Trial, answer: Answer) -> Optional[str]:
    """What is wrong with the first gradient that is wrong."""
    for name, expected in trial.expected.grads.items():
        grad = answer.grads.get(name)
        if trial.expected.grad_matches_one(name, grad):
            continue
        if grad is None:
            return f"there is no gradient with respect to {name}"
        if not np.all(np.isfinite(grad)):
            return f"the gradient dL/d{name} contains NaN or infinity"
        where = np.unravel_index(np.argmax(np.abs(grad - expected)), grad.shape)
        index = ", ".join(str(int(i)) for i in where)
        zero = " (your gradient is zero everywhere)" if not np.any(grad) else ""
        return f"dL/d{name}[{index}] should be {fmt(expected[where])}, yours is {fmt(grad[where])}{zero}"
    return None


def check_sampled_actions(trials: List[Trial]) -> Tuple[bool, str]:
    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got, grads = answer.scalar, answer.grads
        if not grads:
            return f"there is no gradient with respect to {' or '.join(trial.expected.grads)}"
        if trial.expected.loss_matches(got) and trial.expected.grad_matches(grads):
            return None
        if got == 0.0 or not any(np.any(g) for g in grads.values()):
            zero = "loss is exactly zero" if got == 0.0 else "gradient is zero"
            return (
                f"your {zero}, although the actions were sampled from the policy and q is non-zero: "
                f"expected loss {fmt(trial.expected.loss)}; -log p(a) is zero only when p(a) = 1"
            )
        if not trial.expected.loss_matches(got):
            return (
                f"expected loss {fmt(trial.expected.loss)}, got {fmt(got) if got is not None else 'no single number'}"
            )
        return _gradient_verdict(trial, answer)

    return _over_cases(trials, verdict, "The loss and its gradient are non-zero and correct on sampled actions.")


def check_stability(trials: List[Trial], stable: str, advice: str) -> Tuple[bool, str]:
    def verdict(trial: Trial, answer: Answer) -> Optional[str]:
        got = answer.scalar
        if got is None or not np.isfinite(got):
            shown = got if got is not None else "not a single number"
            return f"the loss is {shown} (expected {fmt(trial.expected.loss)}): {advice}"
        if not trial.expected.loss_matches(got):
            return f"expected loss {fmt(trial.expected.loss)}, got {fmt(got)}"
        return _gradient_verdict(trial, answer)

    return _over_cases(trials, verdict, stable)


def check_purity(trials: List[Trial], repeat: Trial) -> Tuple[bool, str]:
    """No input changed in place, and the same answer when called again on the very same tensors
    (a change that alters the result shows in the numbers, whatever the child reports). Hidden
    cases are counted: which input changed would tell something about a hidden input."""
    mutated = [t for t in trials if isinstance(t.outcome, Answer) and t.outcome.mutated]
    if mutated:
        public = [t for t in mutated if not t.case.hidden]
        hidden = len(mutated) - len(public)
        lines = []
        if public:
            changed = public[0].outcome
            assert isinstance(changed, Answer)  # only answers are in mutated
            names = ", ".join(f"`{name}`" for name in changed.mutated)
            lines.append(
                f"On {public[0].case.label}, the function modified {names} in place; the caller still needs them."
            )
        if hidden:
            lines.append(
                f"{hidden} of {sum(1 for t in trials if t.case.hidden)} hidden cases modified an input "
                "in place (which ones and which input are not shown)."
            )
        return False, " ".join(lines)
    first = trials[0].outcome
    issue = problem(first) or problem(repeat.outcome)
    if issue:
        return False, f"Not checked: the function {issue}."
    again = repeat.outcome
    assert isinstance(first, Answer) and isinstance(again, Answer)  # problem() is None only for an answer
    if all((o.value is None or not o.value.size) and not o.grads for o in (first, again)):  # complex, empty
        return False, f"Not checked: on {trials[0].case.label}, the function returned no number to compare."
    same_value = (
        first.value is not None
        and again.value is not None
        and first.value.shape == again.value.shape
        and bool(np.allclose(first.value, again.value, rtol=REPEAT_RTOL, atol=0, equal_nan=True))
    )  # NaN twice is the same
    same_grad = first.grads.keys() == again.grads.keys() and all(
        np.allclose(grad, again.grads[name], rtol=REPEAT_RTOL, atol=0, equal_nan=True)
        for name, grad in first.grads.items()
    )
    if not (same_value and same_grad):
        return False, (
            f"Called twice on {trials[0].case.label} with the same tensors, the function gave two "
            f"different answers (losses {_num(first.scalar)} and {_num(again.scalar)}): does it "
            "change its inputs in place, or keep state between calls?"
        )
    return True, "Inputs are left unchanged and a second call gives the same answer."


def _num(value: Optional[float]) -> str:
    return "none" if value is None else fmt(value)


def _over_cases(
    trials: List[Trial], verdict: Callable[[Trial, Answer], Optional[str]], success: str
) -> Tuple[bool, str]:
    """Pass when every case passes; show the first failing public case, count the hidden ones.
    verdict(trial, answer) says what is wrong with an answer; one that did not come is said here."""

    def judged(trial: Trial) -> Optional[str]:
        issue = problem(trial.outcome)
        if issue:
            return f"the function {issue}"
        assert isinstance(trial.outcome, Answer)  # problem() is None only for an answer
        return verdict(trial, trial.outcome)

    public = [(t, judged(t)) for t in trials if not t.case.hidden]
    hidden = [(t, judged(t)) for t in trials if t.case.hidden]
    public_bad = [(t, why) for t, why in public if why]
    hidden_bad = sum(1 for _, why in hidden if why)
    if not public_bad and not hidden_bad:
        return True, success
    lines = []
    if public_bad:
        trial, why = public_bad[0]
        lines.append(f"On {trial.case.label}: {why}.")
        if len(public_bad) > 1:
            lines.append(f"{len(public_bad) - 1} more of the {len(public)} public cases fail too.")
    else:
        lines.append(f"All {len(public)} public cases pass.")
    if hidden:
        lines.append(
            f"{hidden_bad} of {len(hidden)} hidden cases fail (their inputs are not shown)."
            if hidden_bad
            else f"All {len(hidden)} hidden cases pass."
        )
    return False, " ".join(lines)


def grade(
    public: Public, hidden: Dict[str, List[Trial]], weights: Dict[str, float], exercise: Exercise
) -> List[CheckResult]:
    """Every check but learning, from the answers of both phases."""
    trials = {kind: public.trials[kind] + hidden.get(kind, []) for kind in public.trials}
    policy, confident, extreme = trials["policy"], trials["confident"], trials["extreme"]
    verdicts = {
        "interface": check_interface(policy + confident, public.consistency, exercise.contract),
        "value": check_value(policy),
        "gradient": check_gradient(policy),
        "sampled_actions": check_sampled_actions(confident),
        "stability": check_stability(extreme, exercise.stable, exercise.unstable_advice),
        "purity": check_purity(policy + confident + extreme, public.repeat),
    }
    return [
        CheckResult(key, exercise.titles[key], float(weights[key]), passed, output)
        for key, (passed, output) in verdicts.items()
        if key in weights
    ]
