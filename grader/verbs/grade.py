"""Grade one submission: load → sandboxed oracle → public cases, probes, learning, the course's
own tests → its child ends → hidden cases in a fresh child → checks, diagnosis → results.json.

``grade`` never raises for anything a submission does; ``grade_safely`` also
turns a fault of the grader itself into a valid results.json, so a file is
always written.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from grader import text
from grader.checks.assessment import Assessment, Learn, assess, summary
from grader.checks.held import VISIBLE
from grader.outputs import results
from grader.rubric import Rubric, folders
from grader.sandbox.oracle import SandboxOracle
from grader.sandbox.parent import Limits, Zygote
from grader.submission.load import LoadError, load
from grader.text import Markdown
from grader.verbs.extra_tests import CourseTests

OUTPUT_SHOWN_BYTES = 2048


def grade(path: Path, zygote: Zygote, rubric: Rubric, limits: Limits = Limits(), learning: bool = True) -> Dict:
    start = time.monotonic()
    weights = rubric.weights if learning else {k: w for k, w in rubric.weights.items() if k != "learning"}
    course = CourseTests(rubric.extra_tests, rubric.exercise.contract) if rubric.extra_tests else None
    try:
        source = load(path, rubric.exercise.contract.function, _stub(rubric))
    except LoadError as exc:
        return _not_graded(rubric, weights, _loader(str(exc)), start, course)
    loaded = time.monotonic()
    contract = rubric.exercise.contract
    oracle = SandboxOracle(zygote, source.files, contract, limits, source.shown)
    # Its child starts only once oracle's has ended (assessment.py); what it prints is never shown.
    hidden_oracle = SandboxOracle(zygote, source.files, contract, limits, source.shown)
    try:
        error = oracle.load()
        extra: Dict[str, object] = {
            "graded_file": source.graded.name,
            "graded_why": source.why,
            "sandbox": list(oracle.layers),
        }
        if error is not None:
            reason = Markdown(" ".join([f"importing it failed: {text.escaped(error)}", *source.notes]))
            document = _not_graded(rubric, weights, reason, start, course, extra)
            document["output"] += _printed(oracle)
            return document
        timing = {"load": loaded - start, "import": time.monotonic() - loaded}
        result = assess(
            oracle,
            rubric.exercise,
            rubric.cases,
            weights,
            rubric.suspects,
            learn=None if not learning else _learn(rubric, weights["learning"]),
            hidden_oracle=hidden_oracle,
            held=rubric.held,
            course_tests=course.ask if course else None,
        )
        timing.update(result.timing)
        extra.update(result.extra, timing={key: round(value, 4) for key, value in timing.items()})
        notes = [_loader(note) for note in source.notes]
        return _graded(result, rubric, course, notes, extra, _printed(oracle), time.monotonic() - start)
    finally:
        oracle.close()
        hidden_oracle.close()


def _graded(
    result: Assessment,
    rubric: Rubric,
    course: Optional[CourseTests],
    notes: Sequence[Markdown],
    extra: Dict[str, object],
    printed: Markdown,
    seconds: float,
) -> Dict:
    """The results document of a submission that ran: our checks, then the course's own tests."""
    catalog = rubric.suspects()[1] if result.mistakes else {}
    more = course.tests(len(result.checks) + 1, result.unscored) if course else []
    if course:
        extra["extra_tests"] = course.extra()
    failed = [test["name"] for test in more if test["status"] == "failed" and test["visibility"] == VISIBLE]
    also = f"\n\nCourse tests failed: {', '.join(text.code(name) for name in failed)}." if failed else ""
    said = Markdown(summary(result, catalog, notes) + also + printed)
    return results.build(result.checks, summary=said, mistakes=result.mistakes, extra=extra, seconds=seconds, more=more)


def _not_graded(
    rubric: Rubric,
    weights: Dict[str, float],
    reason: Markdown,
    start: float,
    course: Optional[CourseTests],
    extra: Optional[Dict] = None,
) -> Dict:
    """Every test at zero, the course's own too, for a submission that could not run at all."""
    more: List[Dict] = []
    if course:
        course.not_run(reason)
        more = course.tests(sum(key in weights for key in rubric.exercise.titles) + 1)
    return results.not_graded(weights, rubric.exercise.titles, reason, time.monotonic() - start, extra=extra, more=more)


def grade_safely(path: Path, zygote: Zygote, rubric: Rubric, **options) -> Dict:
    """grade(), but a fault of ours becomes an "Autograder error" result instead of an exception."""
    start = time.monotonic()
    try:
        return grade(path, zygote, rubric, **options)
    except Exception:
        return results.grader_fault(traceback.format_exc(), time.monotonic() - start)


def _stub(rubric: Rubric) -> str:
    """The handout's stub, which the loader never grades while another file defines the function."""
    return (folders(rubric.name)[0] / rubric.exercise.stub_file).read_text()


def _learn(rubric: Rubric, weight: float) -> Learn:
    from grader.learning.check import check_learning, trainer  # gymnasium only when learning is graded
    from grader.rubric import instructor

    learning = trainer(instructor(rubric.name).LEARNING)
    return lambda oracle: check_learning(oracle, rubric.exercise, learning, weight)


def _printed(oracle: SandboxOracle) -> Markdown:
    printed = oracle.output.text()
    if not printed.strip():
        return Markdown("")
    shown = text.fenced(text.cap_text(printed, OUTPUT_SHOWN_BYTES))
    return Markdown(f"\n\nYour code printed ({oracle.output.total} bytes; first and last lines shown):\n{shown}")


def _loader(message: str) -> Markdown:
    """A note or error of the loader: its own words, every name and line of the submission in it
    put in by text.code (submission/)."""
    return Markdown(message)
