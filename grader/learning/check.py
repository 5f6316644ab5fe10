"""The learning check: train CartPole-v1 in the grader with gradients from the submission.

The submission only ever sees (logits, actions, q_values) arrays through its
oracle and answers with dL/dlogits; the network, optimizer and environment stay
here (cartpole.py).
"""

from __future__ import annotations

from typing import Dict, List, Optional, Tuple

import numpy as np

from grader.checks.oracle import Failure, Oracle
from grader.checks.verdicts import CheckResult, interface_problem, problem
from grader.learning import cartpole


class _Gradients:
    """The LossGrad that cartpole.train calls, remembering why the last call gave nothing."""

    def __init__(self, oracle: Oracle):
        self._oracle = oracle
        self.why: Optional[str] = None

    def __call__(self, logits: np.ndarray, actions: np.ndarray, q_values: np.ndarray) -> Optional[np.ndarray]:
        outcome = self._oracle.call(logits, actions, q_values)
        self.why = problem(outcome) or (None if isinstance(outcome, Failure) else interface_problem(outcome))
        if self.why:
            return None
        assert not isinstance(outcome, Failure)  # problem() says why a failure gave nothing
        if outcome.grad_logits is None:
            self.why = "gave no gradient"
            return None
        return outcome.grad_logits


def check_learning(oracle: Oracle, weight: float) -> Tuple[CheckResult, Dict]:
    """Pass when a policy trained with the submission's gradients learns on every grading seed."""
    runs: List[Tuple[int, cartpole.Learning]] = []
    gradients = _Gradients(oracle)
    for seed in cartpole.GRADING_SEEDS:
        run = cartpole.train(gradients, seed)
        runs.append((seed, run))
        if not run.passed:
            break  # one failed seed fails the check; don't spend the student's time on the rest
    passed = len(runs) == len(cartpole.GRADING_SEEDS) and all(run.passed for _, run in runs)
    lines = [f"Seed {seed}: {cartpole.summary(run)}." for seed, run in runs]
    if gradients.why and not passed:
        lines.append(f"The loss function {gradients.why}.")
    if not passed:
        lines.append(
            "A policy trained with your loss must reach the return threshold on every seed; "
            "a correct loss does so within a few iterations."
        )
    extra = {
        "learning": {
            "passed": passed,
            "threshold": cartpole.CartPoleConfig().return_threshold,
            "summary": " ".join(lines[: len(runs)]),
            "runs": [
                {
                    "seed": seed,
                    "passed": run.passed,
                    "iterations": run.iterations,
                    "env_steps": run.env_steps,
                    "returns": [round(float(r), 2) for r in run.returns],
                }
                for seed, run in runs
            ],
        }
    }
    return CheckResult("learning", weight, passed, "\n".join(lines)), extra
