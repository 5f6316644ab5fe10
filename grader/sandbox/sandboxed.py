"""The oracles for submissions: the upload's functions called in one sandboxed child (see parent.py).

One child answers for every function of an upload, as one module holds them. A
child that hangs, dies or sends garbage costs the call it was answering; the next
call, of any function, gets a fresh child. Each function keeps its own account:
a bug of one costs its own restarts (``Limits.restarts``) and wall time
(``Limits.budget_s``), never another's; the child's CPU time is ``Limits.cpu_s`` for each.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Dict, Optional, Sequence

import numpy as np

from grader.calling.answer import VALUE_CAP, Answer
from grader.calling.oracle import Failure, FailureKind, Outcome, grad_shapes
from grader.contract import Contract
from grader.errors import SubmissionError
from grader.sandbox import protocol
from grader.sandbox.parent import Limits, Session, Zygote
from grader.sandbox.seen import Output


class SandboxChild:
    """A sandboxed child for an upload's functions (one contract each), restarted after a crash or
    hang; `oracle(function)` asks one of them."""

    def __init__(
        self,
        zygote: Zygote,
        files: Dict[str, str],
        contracts: Sequence[Contract],
        limits: Limits = Limits(),
        name: str = "",
    ):
        self._zygote = zygote
        self._files = files
        self._name = name  # the student's file name, which tracebacks show (the child checks it is bare)
        self._contracts = tuple(contracts)
        # Its CPU seconds are the functions' together: each keeps the allowance a child of its own had.
        self.limits = dataclasses.replace(limits, cpu_s=limits.cpu_s * max(len(self._contracts), 1))
        self._session: Optional[Session] = None
        self._unconfirmed = False  # a child whose end its monitor never reported
        self.errors: Dict[str, Optional[str]] = {}  # each function's import error, None when it loaded
        self.layers: tuple = ()
        self.output = Output(limits.output_bytes)
        self._oracles = {contract.function: SandboxOracle(self, contract) for contract in self._contracts}

    def oracle(self, function: str) -> SandboxOracle:
        return self._oracles[function]

    def import_submission(self) -> Dict[str, Optional[str]]:
        """Start the child and import the submission; each function's import error, if any."""
        self._start(self._oracles[self._contracts[0].function])
        return dict(self.errors)

    def close(self) -> bool:
        """Stop the child; True when every child started is known to be dead."""
        self._stop()
        return not self._unconfirmed

    def _start(self, asking: SandboxOracle) -> Optional[str]:
        """A fresh child with the submission imported, its time spent on `asking`; the import's
        error for asking's function, if any."""
        self._session = self._zygote.spawn(self.limits, self.output)
        self.layers = self._session.layers
        try:
            header, _ = self._ask(
                asking,
                {
                    "op": "load",
                    "files": self._files,
                    "contracts": [c.to_json() for c in self._contracts],
                    "name": self._name,
                },
                None,
                self.limits.import_timeout_s,
            )
        except _NoAnswer as failure:
            self.errors = {function: failure.failure.message for function in self._oracles}
            return failure.failure.message
        error, missing = header.get("error"), header.get("missing")
        missing = missing if isinstance(missing, dict) else {}
        self.errors = {
            function: str(error)[:2000] if error is not None else _text(missing.get(function))
            for function in self._oracles
        }
        if error is not None:
            self._stop()
        return self.errors[asking.function]

    def _ask(
        self,
        asking: SandboxOracle,
        header: dict,
        arrays: Optional[dict],
        timeout_s: float,
        bounds: protocol.Bounds = protocol.Bounds(),
    ):
        session = self._session
        assert session is not None  # started by import_submission(), or by a call before it asks
        start = time.monotonic()
        try:
            return session.ask(header, arrays, min(timeout_s, max(self.limits.budget_s - asking.spent_s, 0.1)), bounds)
        except protocol.PeerTimeout:
            raise _NoAnswer(
                asking.fail("timeout", f"no answer within {timeout_s:g} s (an endless loop, or far too slow)")
            ) from None
        except protocol.PeerClosed:
            died = session.close()
            raise _NoAnswer(asking.fail("died", f"the process stopped: {died.describe(self.limits)}")) from None
        except protocol.ProtocolError as exc:
            raise _NoAnswer(asking.fail("garbage", f"the sandboxed process broke the protocol ({exc})")) from None
        finally:
            asking.spent_s += time.monotonic() - start

    def _stop(self) -> None:
        if self._session is not None:
            if not self._session.close().reported:  # kills the child at once
                self._unconfirmed = True
            self._session = None


class SandboxOracle:
    """Calls one function of the upload in its SandboxChild, on that function's own account."""

    def __init__(self, child: SandboxChild, contract: Contract):
        self._child = child
        self._contract = contract
        self.function = contract.function
        self.spent_s = 0.0
        self._failures = 0

    def call(self, *arrays: np.ndarray, trace: bool = False, again: bool = False) -> Outcome:
        child, limits = self._child, self._child.limits
        load_error = child.errors.get(self.function)
        if load_error is not None:
            return Failure("not_loaded", load_error)
        if self._failures > limits.restarts:
            return Failure("skipped", f"not run: the submission already stopped answering {self._failures} times")
        if self.spent_s >= limits.budget_s:
            return Failure("skipped", f"not run: the submission used up its {limits.budget_s:.0f} s budget")
        if child._session is None:
            error = child._start(self)
            if error is not None:
                return Failure("not_loaded", error)
        named = {arg.name: arg.array(array) for arg, array in zip(self._contract.arguments, arrays, strict=True)}
        shapes = grad_shapes(self._contract, arrays)
        bounds = protocol.Bounds(payload_bytes=8 * (VALUE_CAP + sum(int(np.prod(s)) for s in shapes.values())) + 1024)
        header = {"op": "call", "function": self.function, "trace": trace, "again": again}
        session = child._session
        assert session is not None  # started above
        before = session.cpu_s()
        try:
            header, reply = child._ask(self, header, named, limits.call_timeout_s, bounds)
        except _NoAnswer as failure:
            return failure.failure
        after = session.cpu_s()
        try:
            answer = Answer.parse(header, reply, self._contract, shapes)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            return self.fail("garbage", f"the sandboxed process sent a malformed answer ({exc})")
        if before is not None and after is not None and answer.error is None:  # the kernel's count, not the child's
            # Precise from the main thread; every thread's, coarser, when work was moved to another.
            answer = dataclasses.replace(answer, cpu_s=max(a - b for a, b in zip(after, before)))
        if answer.memory:  # a child that hit its memory limit is not trusted to run on
            self._failures += 1  # and counts against the restarts: a hog must not be rerun on every call
            child._stop()
            allowed = f"{answer.error} (the sandbox allows {limits.memory_mb} MB beyond what torch itself maps)"
            return dataclasses.replace(answer, error=allowed)
        return answer

    def fail(self, kind: FailureKind, message: str) -> Failure:
        """A call of this function got no answer: it costs this function a restart, and the child."""
        self._failures += 1
        self._child._stop()
        return Failure(kind, message)


def _text(value: object) -> Optional[str]:
    return str(value)[:2000] if value else None


class _NoAnswer(SubmissionError):
    def __init__(self, failure: Failure):
        self.failure = failure
