"""The oracle for submissions: the exercise's function called in a sandboxed child (see parent.py).

A child that hangs, dies or sends garbage costs the call it was answering; the
next call gets a fresh child, up to ``Limits.restarts`` times and within
``Limits.budget_s`` of wall time for the whole submission.
"""

from __future__ import annotations

import dataclasses
import time
from typing import Dict, Optional

import numpy as np

from grader.calling.answer import VALUE_CAP, Answer
from grader.calling.oracle import Failure, FailureKind, Outcome, grad_shapes
from grader.contract import Contract
from grader.errors import SubmissionError
from grader.sandbox import protocol
from grader.sandbox.parent import Limits, Output, Session, Zygote


class SandboxOracle:
    """Calls a submission's function in a sandboxed child, restarting it after a crash or hang."""

    def __init__(
        self, zygote: Zygote, files: Dict[str, str], contract: Contract, limits: Limits = Limits(), name: str = ""
    ):
        self._zygote = zygote
        self._files = files
        self._name = name  # the student's file name, which tracebacks show (the child checks it is bare)
        self._contract = contract
        self.limits = limits
        self._session: Optional[Session] = None
        self._spent_s = 0.0
        self._failures = 0
        self._unconfirmed = False  # a child whose end its monitor never reported
        self.load_error: Optional[str] = None
        self.layers: tuple = ()
        self.output = Output(limits.output_bytes)

    def import_submission(self) -> Optional[str]:
        """Start a child and import the submission; return the import error, if any."""
        self.load_error = self._start()
        return self.load_error

    def call(self, *arrays: np.ndarray, trace: bool = False, again: bool = False) -> Outcome:
        if self.load_error is not None:
            return Failure("not_loaded", self.load_error)
        if self._failures > self.limits.restarts:
            return Failure("skipped", f"not run: the submission already stopped answering {self._failures} times")
        if self._spent_s >= self.limits.budget_s:
            return Failure("skipped", f"not run: the submission used up its {self.limits.budget_s:.0f} s budget")
        if self._session is None:
            error = self._start()
            if error is not None:
                return Failure("not_loaded", error)
        named = {arg.name: arg.array(array) for arg, array in zip(self._contract.arguments, arrays, strict=True)}
        shapes = grad_shapes(self._contract, arrays)
        bounds = protocol.Bounds(payload_bytes=8 * (VALUE_CAP + sum(int(np.prod(s)) for s in shapes.values())) + 1024)
        try:
            header, reply = self._ask(
                {"op": "call", "trace": trace, "again": again},
                named,
                self.limits.call_timeout_s,
                bounds,
            )
        except _NoAnswer as failure:
            return failure.failure
        try:
            answer = Answer.parse(header, reply, self._contract, shapes)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            return self._fail("garbage", f"the sandboxed process sent a malformed answer ({exc})")
        if answer.memory:  # a child that hit its memory limit is not trusted to run on
            self._failures += 1  # and counts against the restarts: a hog must not be rerun on every call
            self._stop()
            allowed = f"{answer.error} (the sandbox allows {self.limits.memory_mb} MB beyond what torch itself maps)"
            return dataclasses.replace(answer, error=allowed)
        return answer

    def close(self) -> bool:
        """Stop the child; True when every child this oracle started is known to be dead."""
        self._stop()
        return not self._unconfirmed

    def _start(self) -> Optional[str]:
        self._session = self._zygote.spawn(self.limits, self.output)
        self.layers = self._session.layers
        try:
            header, _ = self._ask(
                {"op": "load", "files": self._files, "contract": self._contract.to_json(), "name": self._name},
                None,
                self.limits.import_timeout_s,
            )
        except _NoAnswer as failure:
            return failure.failure.message
        error = header.get("error")
        if error is not None:
            self._stop()
            return str(error)[:2000]
        return None

    def _ask(self, header: dict, arrays: Optional[dict], timeout_s: float, bounds: protocol.Bounds = protocol.Bounds()):
        session = self._session
        assert session is not None  # started by import_submission(), or by call() before it asks
        start = time.monotonic()
        try:
            return session.ask(header, arrays, min(timeout_s, max(self.limits.budget_s - self._spent_s, 0.1)), bounds)
        except protocol.PeerTimeout:
            raise _NoAnswer(
                self._fail("timeout", f"no answer within {timeout_s:g} s (an endless loop, or far too slow)")
            ) from None
        except protocol.PeerClosed:
            died = session.close()
            raise _NoAnswer(self._fail("died", f"the process stopped: {died.describe(self.limits)}")) from None
        except protocol.ProtocolError as exc:
            raise _NoAnswer(self._fail("garbage", f"the sandboxed process broke the protocol ({exc})")) from None
        finally:
            self._spent_s += time.monotonic() - start

    def _fail(self, kind: FailureKind, message: str) -> Failure:
        self._failures += 1
        self._stop()
        return Failure(kind, message)

    def _stop(self) -> None:
        if self._session is not None:
            if not self._session.close().reported:  # kills the child at once
                self._unconfirmed = True
            self._session = None


class _NoAnswer(SubmissionError):
    def __init__(self, failure: Failure):
        self.failure = failure
