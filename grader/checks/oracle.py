"""Ask a pseudo-loss for its value and gradient.

Every check, the diagnosis and CartPole talk to an oracle and get back either an
``Answer`` (the function returned or raised) or a ``Failure`` (no answer: it hung,
died, sent garbage, never loaded, or ran out of budget). Two oracles exist:
``LocalOracle`` here, in-process, for trusted code (and for a student checking
their own code on their own machine), and ``sandboxed.SandboxOracle`` for
submissions. Both build answers with ``answer.evaluate`` and ``Answer.parse``.
This module needs nothing but numpy and torch, so the student handout can ship it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

import numpy as np

from grader.checks.answer import Answer, evaluate, make_inputs


@dataclass(frozen=True)
class Failure:
    """A call that got no answer."""

    kind: str  # "timeout", "died", "garbage", "not_loaded", "skipped"
    message: str  # plain words, for the student


Outcome = Union[Answer, Failure]


class LocalOracle:
    """Calls a trusted function (reference, catalog entry) in this process."""

    def __init__(self, function: Callable):
        self._function = function
        self._inputs = None

    def call(
        self,
        logits: np.ndarray,
        actions: np.ndarray,
        q_values: np.ndarray,
        trace: bool = False,
        again: bool = False,
    ) -> Outcome:
        """again: call with the previous call's very tensors (as changed by it, if it changed them)."""
        if not (again and self._inputs is not None):
            self._inputs = make_inputs(logits, actions, q_values)
        header, arrays = evaluate(self._function, self._inputs, trace)
        return Answer.parse(header, arrays, *logits.shape)
