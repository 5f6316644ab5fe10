"""A course's own tests: unittest TestCases written with gradescope-utils' decorators, named by
rubric.json's "extra_tests" (or tried with `python -m grader grade --extra-tests FILE SUB`).

Theory of operation: the tests run here, in the trusted grading process, during the
public phase (checks/assessment.py: after the learning check, before any hidden case
is asked), through gradescope-utils' own JSONTestRunner. They reach the student's
function only through the sandboxed oracle: for the run, every TestCase class of the
file has ``oracle`` (``.call(*arrays)`` returns the validated ``Answer``, or fails
the test saying why there is none) and ``contract`` as class attributes. No student
code runs here: what comes back is numbers and short strings, already validated.

The runner's results join results.json (results.build's ``more``): numbered after
ours (a test's own @number when no other test has it), their output fenced and
capped like ours, their points added to the total, except for a loss that cannot
train (checks/dependence.py), which earns none here either. A test whose own code
raises, rather than failing an assertion, fails with one fixed sentence; its
traceback goes to extra_data for the course staff.
"""

from __future__ import annotations

import hashlib
import importlib.util
import io
import traceback
import unittest
from functools import lru_cache
from pathlib import Path
from types import ModuleType
from typing import Dict, Iterator, List, Optional, Set, Tuple

import numpy as np
from gradescope_utils.autograder_utils.json_test_runner import JSONTestResult, JSONTestRunner

from grader.calling.answer import Answer
from grader.calling.oracle import Failure, Oracle, Outcome
from grader.checks.trials import headline
from grader.contract import Contract
from grader.errors import GraderError
from grader.outputs.results import Test, test_entry
from grader.text import Markdown, code, fenced, printable

VISIBILITIES = ("visible", "hidden", "after_due_date", "after_published")  # Gradescope's
_RAISED = "_raised"  # the key _Result adds to a runner result: the traceback of a test that raised


class NoAnswer(AssertionError):
    """The function gave no answer a test can check: the test fails, saying why."""


class CourseOracle:
    """What a course test calls: the submission's function in its sandbox."""

    def __init__(self, oracle: Oracle):
        self._oracle = oracle

    def call(self, *arrays) -> Answer:
        """The answer to one call on these arrays (the contract's arguments, in order, converted
        to its dtypes). Fails the test when the function raised or gave no answer."""
        outcome: Outcome = self._oracle.call(*(np.asarray(array) for array in arrays))
        if isinstance(outcome, Failure):
            raise NoAnswer(f"the function gave no answer: {outcome.message}")
        if outcome.error is not None:
            raise NoAnswer(f"the function raised {headline(outcome.error)}")
        return outcome


class _Unanswering:
    """The oracle of a submission that could not run: every call fails."""

    def __init__(self, reason: str):
        self._reason = reason

    def call(self, *arrays, **options) -> Failure:
        return Failure("not_loaded", self._reason)


class _Result(JSONTestResult):
    """gradescope-utils' result, which also keeps the traceback of a test whose own code raised,
    and records a test whose subTest failed (the runner alone would leave that test out)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._recorded: Set[unittest.TestCase] = set()

    def buildResult(self, test, err=None):
        result = super().buildResult(test, err)
        for key in ("score", "max_score"):  # a test's own set_score may give numpy's, or anything
            if key in result:
                result[key] = _points(result[key])
        if "tags" in result:
            result["tags"] = [printable(str(tag)) for tag in result["tags"]]
        if err is not None and not issubclass(err[0], test.failureException):
            result[_RAISED] = "".join(traceback.format_exception(*err))
        return result

    def processResult(self, test, err=None):
        if test not in self._recorded:  # a failed subTest already recorded its test
            self._recorded.add(test)
            super().processResult(test, err)

    def addSubTest(self, test, subtest, err):
        super().addSubTest(test, subtest, err)
        if err is not None:
            self.processResult(test, err)


class _Runner(JSONTestRunner):
    resultclass = _Result


@lru_cache(maxsize=8)
def load_course_tests(path: Path) -> ModuleType:
    """The course tests' file as a module of its own (imported once per process); GraderError
    when it cannot be imported, defines no test, or decorates one with a value Gradescope refuses."""
    name = "_course_tests_" + hashlib.sha256(str(path.resolve()).encode()).hexdigest()[:16]
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise GraderError(f"the course tests {path} are not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception:
        raise GraderError(f"the course tests {path} cannot be imported:\n{traceback.format_exc()}") from None
    problems = [problem for test in _tests(module) for problem in _problems(test)]
    if problems or not list(_tests(module)):
        raise GraderError(f"the course tests {path}: " + ("; ".join(problems) or "no unittest.TestCase test in it"))
    return module


def _tests(module: ModuleType) -> Iterator[unittest.TestCase]:
    """Every test of the module, as unittest's loader finds them."""
    todo: List = [unittest.defaultTestLoader.loadTestsFromModule(module)]
    while todo:
        item = todo.pop(0)
        if isinstance(item, unittest.TestSuite):
            todo[:0] = list(item)
        else:
            yield item


def _problems(test: unittest.TestCase) -> List[str]:
    method = getattr(test, getattr(test, "_testMethodName", ""), None)
    visibility = getattr(method, "__visibility__", "visible")
    weight = getattr(method, "__weight__", 0)
    found = (
        [] if visibility in VISIBILITIES else [f"{test.id()}: visibility {visibility!r} is not one of {VISIBILITIES}"]
    )
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or weight < 0:
        found.append(f"{test.id()}: weight {weight!r} is not a number of points")
    return found


def run(module: ModuleType, oracle: Oracle, contract: Contract) -> List[Dict]:
    """The runner's result for each test of the module, on this oracle."""
    suite = unittest.defaultTestLoader.loadTestsFromModule(module)
    classes = {type(test) for test in _tests(module)}
    runner = _Runner(stream=io.StringIO(), failure_prefix="")
    try:
        for kind in classes:
            kind.oracle, kind.contract = CourseOracle(oracle), contract  # type: ignore[attr-defined]
        runner.run(suite)
    finally:
        for kind in classes:
            kind.oracle = kind.contract = None  # type: ignore[attr-defined]
    return list(runner.json_data["tests"])


class CourseTests:
    """One submission's run of the course's tests: asked during the public phase, then turned
    into results.json's tests."""

    def __init__(self, path: Path, contract: Contract):
        self.path = path
        self._module = load_course_tests(path)
        self._contract = contract
        self._results: List[Dict] = []

    def ask(self, oracle: Oracle) -> None:
        """Run every test on the submission's oracle (assess's course_tests)."""
        self._results = run(self._module, oracle, self._contract)

    def not_run(self, reason: str) -> None:
        """For a submission that could not run: every test, at zero (tests() says why)."""
        self._results = [
            {**result, "_not_run": reason} for result in run(self._module, _Unanswering(reason), self._contract)
        ]

    def tests(self, first: int, unscored: str = "") -> List[Test]:
        """The tests in results.json's form, numbered from `first` on (after ours); unscored: why
        the loss earns nothing, said first in each."""
        taken = {str(number) for number in range(1, first)}
        made = []
        for result in self._results:
            number = str(result.get("number") or "")
            while not number or number in taken:
                number, first = str(first), first + 1
            taken.add(number)
            made.append(_entry(result, number, unscored))
        return sorted(made, key=lambda test: _order(test["number"]))

    def extra(self) -> Dict:
        """For extra_data, instructor-only: the file, and the traceback of every test that raised."""
        raised = {str(r.get("name")): r[_RAISED] for r in self._results if r.get(_RAISED)}
        return {"file": self.path.name, "raised": raised}


def _entry(result: Dict, number: str, unscored: str) -> Test:
    """One runner result as one of results.json's tests."""
    name = " ".join(printable(str(result.get("name", ""))).split())
    max_score = _points(result.get("max_score"))
    score = min(_points(result.get("score")), max_score)
    passed = result.get("status") == "passed"
    text = _said(passed, str(result.get("output", "")), result.get(_RAISED))
    if result.get("_not_run"):
        score, passed, text = 0.0, False, Markdown(f"Not run: {result['_not_run']}")  # the reason is Markdown
    elif unscored:
        score, passed, text = 0.0, False, Markdown(f"{unscored}\n\n{text}")
    visibility = str(result.get("visibility") or "visible")
    return test_entry(number, f"{number}. {name}", score, max_score, passed, text, visibility, result.get("tags", ()))


def _order(number: str) -> Tuple[Tuple[int, str], ...]:
    """Gradescope's order of test numbers: "2" before "10", "8.1" before "8.2"."""
    return tuple((int(part), "") if part.isdigit() else (0, part) for part in number.split("."))


def _points(value: object) -> float:
    """Points as a plain float, and 0 for anything that is not a finite number above 0."""
    try:
        points = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return points if np.isfinite(points) and points > 0 else 0.0


def _said(passed: bool, output: str, raised: Optional[str]) -> Markdown:
    """What the student reads: Markdown, the runner's plain text fenced so none of it is markup."""
    if raised:
        last = [line for line in raised.splitlines() if line.strip()][-1:] or ["an error"]
        return Markdown(
            f"This course test could not finish: its own code raised {code(last[0].strip())}. "
            "The course staff has the details."
        )
    shown = f"\n\n{fenced(output.strip())}" if output.strip() else ""
    return Markdown(("Passed." if passed else "Failed:") + shown)
