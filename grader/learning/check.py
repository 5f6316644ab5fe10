"""The learning check: train a policy in the grader with the submission's answers.

The part's trainer (the learning module of its Solution in reference/NAME) owns the network, the
optimizer and the environment; the submission only ever sees the arrays of the
contract through its oracle and answers with the gradients of a loss, or an array function's
array (a reward-to-go). The trainer module
provides ``GRADING_SEEDS``, ``THRESHOLD``, ``ENV``, ``NEEDS`` and ``train(call, seeds)``: one
``runs.Learning`` per seed that ran, stopping at the first that fails (see ``Trainer``).
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Dict, List, Mapping, Optional, Protocol, Sequence, Tuple, Union

import numpy as np

from grader.calling.oracle import Failure, Oracle
from grader.checks.arrays import no_numbers
from grader.checks.part import Check, Part
from grader.checks.trials import problem
from grader.checks.verdicts import CheckResult, interface_problem
from grader.learning.runs import Learning, Progress, summary
from grader.text import Markdown

Call = Callable[..., Optional[Union[Mapping[str, np.ndarray], np.ndarray]]]  # a LossGrad, or an array function


class Trainer(Protocol):
    GRADING_SEEDS: Tuple[int, ...]  # the check passes only if training passes on every one
    THRESHOLD: float  # the return a run must reach
    ENV: str  # the environment's gymnasium id, for reports ("CartPole-v1")
    NEEDS: Tuple[str, ...]  # the packages it needs besides numpy and torch, for a student's install line
    # Optional, PARTNERS: Tuple[str, ...], the other functions it trains with, each a keyword of
    # train(): a correct one, the upload's or the reference's (trainings.py says which). A keyword
    # with a default is the trainer's own correct one; one without is given the reference's.
    # Optional, TRAINING: str, the same for trainers that train alike given the same functions
    # (a reward-to-go's and a loss's): a check of each then shares one training (trainings.py).

    def train(
        self, call: Call, seeds: Sequence[int], *, progress: Optional[Progress] = None, **partners: Any
    ) -> Sequence[Learning]:
        """call: the part's function as the trainer asks it, a LossGrad for a loss; for an array
        function, its array (None when it gave nothing usable). Its PARTNERS come as keywords."""
        ...


def trainer(module: str) -> Trainer:
    return importlib.import_module(module)  # a module that has what the Protocol names


def partners_of(learning: Trainer) -> Tuple[str, ...]:
    """The other functions a trainer trains with besides the part's own."""
    return tuple(getattr(learning, "PARTNERS", ()))


class Calls:
    """What a trainer calls for the part's function: the gradients of a loss (a LossGrad), or the
    array an array function returns; None when the call gave nothing usable, remembering why."""

    def __init__(self, oracle: Oracle, part: Part):
        self._oracle = oracle
        self._part = part
        self.why: Optional[str] = None

    def __call__(self, *arrays: np.ndarray) -> Optional[Union[Mapping[str, np.ndarray], np.ndarray]]:
        outcome = self._oracle.call(*arrays)
        self.why = problem(outcome)
        if self.why:
            return None
        assert not isinstance(outcome, Failure)  # problem() says why a failure gave nothing
        if not self._part.contract.loss:
            if outcome.value is None:
                self.why = no_numbers(outcome)  # the student's type name, through the Markdown writer
            return outcome.value
        if outcome.grads:  # any result with a gradient trains: a shape (1,) loss too, as backward() takes it
            return outcome.grads
        self.why = interface_problem(outcome, self._part.contract) or "gave no gradient"
        return None


def check_learning(
    oracle: Oracle,
    part: Part,
    declared: Check,
    learning: Trainer,
    weight: float,
    progress: Optional[Progress] = None,
    partners: Mapping[str, Tuple[Oracle, Part]] = {},
) -> Tuple[CheckResult, Dict]:
    """Pass when a policy trained with the submission's answers learns on every grading seed
    (progress: told of each iteration, for a student watching it run on their computer; partners:
    the oracles of the other functions the trainer trains with, by function; one it is not given
    is the trainer's own)."""
    calls = Calls(oracle, part)
    others = {function: Calls(*pair) for function, pair in partners.items()}
    runs = learning.train(calls, learning.GRADING_SEEDS, progress=progress, **others)
    return report(runs, part, declared, learning, weight, calls, others)


def report(
    runs: Sequence[Learning],
    part: Part,
    declared: Check,
    learning: Trainer,
    weight: float,
    calls: Calls,
    others: Mapping[str, Calls],
    said: Sequence[str] = (),
) -> Tuple[CheckResult, Dict]:
    """The check's result and extra data from its runs (the trainer stops at the first failed seed:
    the check fails then, whatever the others do). said: sentences that follow the seeds' lines."""
    by_seed = [(run.seed, run) for run in runs]
    passed = learned(runs, learning)
    seeds = [f"Seed {seed}: {summary(run)}." for seed, run in by_seed]
    lines = ["\n".join(f"- {line}" for line in seeds), *said]  # a list: in Markdown, lines alone run together
    if not passed:
        failed = next((run for _, run in by_seed if not run.passed), None)
        lead = f"Trained with {_yours(part, others)}, a {learning.ENV} policy did not learn"
        lines.insert(0, f"{lead} on seed {failed.seed}: {failed.reason}." if failed else f"{lead}.")
        lines += _why_not(part, calls, others)
    extra = {
        declared.key: {
            "passed": passed,
            "threshold": learning.THRESHOLD,
            "env": learning.ENV,
            "summary": " ".join(seeds),
            "runs": [
                {
                    "seed": seed,
                    "passed": run.passed,
                    "iterations": run.iterations,
                    "env_steps": run.env_steps,
                    "returns": [round(float(r), 2) for r in run.returns],
                }
                for seed, run in by_seed
            ],
        }
    }
    result = CheckResult(declared.key, declared.title, weight, passed, Markdown("\n\n".join(lines)))
    return result, extra


def learned(runs: Sequence[Learning], learning: Trainer) -> bool:
    """The check passes: a run on every grading seed, each passed."""
    return len(runs) == len(learning.GRADING_SEEDS) and all(run.passed for run in runs)


def _why_not(part: Part, calls: Calls, others: Mapping[str, Calls]) -> List[str]:
    """What a failed learning check adds below the seeds' lines: why a call gave nothing, and the rule."""
    loss = part.contract.loss
    lines = [f"{'The loss function' if loss else f'Your `{part.function}`'} {calls.why}."] if calls.why else []
    lines += [f"Your `{function}` {other.why}." for function, other in others.items() if other.why]
    correct = "pair" if others else "loss" if loss else "one"
    lines.append(
        f"A policy trained with {_yours(part, others)} must reach the return threshold on every seed; "
        f"a correct {correct} does so with iterations to spare."
    )
    return lines


def _yours(part: Part, others: Mapping[str, Calls]) -> str:
    """The student's functions a training used, as the feedback names them: "your loss and your `f`"."""
    yours = ["your loss" if part.contract.loss else f"your `{part.function}`"]
    return " and ".join(yours + [f"your `{function}`" for function in others])
