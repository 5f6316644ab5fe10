"""Ask a loss function for its value and gradients.

Every check, the diagnosis and the learning check talk to an oracle and get back either an
``Answer`` (the function returned or raised) or a ``Failure`` (no answer: it hung,
died, sent garbage, never loaded, or ran out of budget). Two oracles exist:
``LocalOracle`` here, in-process, for trusted code (and for a student checking
their own code on their own machine), and ``sandbox.sandboxed.SandboxOracle`` for
submissions. Both build answers with ``answer.evaluate`` and ``Answer.parse``.
This module needs nothing but numpy and torch, so the student handout can ship it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Dict, Literal, Optional, Protocol, Sequence, Tuple, Union

import numpy as np

from grader.calling.answer import Answer, Inputs, evaluate, make_inputs
from grader.contract import Contract

# Why a call got no answer: it hung; its process died (a crash, a signal, out of memory); it broke the
# protocol; the function never loaded; it was not asked (the submission's budget or patience ran out).
FailureKind = Literal["timeout", "died", "garbage", "not_loaded", "skipped"]


@dataclass(frozen=True)
class Failure:
    """A call that got no answer."""

    kind: FailureKind
    message: str  # plain words, for the student


Outcome = Union[Answer, Failure]


class Oracle(Protocol):
    """What the checks, the diagnosis and the learning check ask: LocalOracle, SandboxOracle."""

    def call(self, *arrays: np.ndarray, trace: bool = False, again: bool = False) -> Outcome:
        """One call of the loss on the contract's arguments, in order; again: on the previous
        call's very tensors."""
        ...


class LocalOracle:
    """Calls a trusted function (reference, catalog entry) in this process."""

    def __init__(self, function: Callable, contract: Contract):
        self._function = function
        self._contract = contract
        self._inputs: Optional[Inputs] = None

    def call(self, *arrays: np.ndarray, trace: bool = False, again: bool = False) -> Outcome:
        """again: call with the previous call's very tensors (as changed by it, if it changed them)."""
        inputs = self._inputs
        if not (again and inputs is not None):
            inputs = self._inputs = make_inputs(self._contract, arrays)
        header, replies = evaluate(self._function, inputs, self._contract, trace)
        return Answer.parse(header, replies, self._contract, grad_shapes(self._contract, arrays))


def grad_shapes(contract: Contract, arrays: Sequence[np.ndarray]) -> Dict[str, Tuple[int, ...]]:
    """The shape each gradient must have: its input's."""
    return {
        name: tuple(np.shape(array)) for name, array in zip(contract.names, arrays) if name in contract.differentiable
    }
