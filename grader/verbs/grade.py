"""Grade one submission: load → per part, a sandboxed oracle → public cases, probes, learning, the
course's own tests → its child ends → hidden cases in a fresh child → checks, diagnosis → one
results.json for the upload.

``grade_submission`` never raises for anything a submission does; ``grade_safely`` also
turns a fault of the grader itself into a valid results.json, so a file is
always written.
"""

from __future__ import annotations

import functools
import time
import traceback
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

from grader import text
from grader.calling.oracle import Oracle
from grader.checks.assessment import Learn, assess
from grader.checks.part import Check, Part
from grader.checks.verdicts import CheckResult
from grader.contract import Contract
from grader.course.rubric import Graded, Rubric, stub_text
from grader.outputs import results
from grader.outputs.results import Extra, Results, Test
from grader.sandbox.parent import Limits, Zygote
from grader.sandbox.sandboxed import SandboxOracle
from grader.submission.load import LoadError, Source, load_submission
from grader.text import Markdown
from grader.verbs.extra_tests import CourseTests
from grader.verbs.parts import Done, document, labelled, weights_of

OUTPUT_SHOWN_BYTES = 2048


def grade_submission(
    path: Path, zygote: Zygote, rubric: Rubric, limits: Limits = Limits(), learning: bool = True
) -> Results:
    start = time.monotonic()
    lead = rubric.parts[0]
    course = CourseTests(rubric.extra_tests, lead.part.contract) if rubric.extra_tests else None
    try:
        source = load_submission(path, lead.function, _stub(rubric), rubric.exercise.functions[1:])
    except LoadError as exc:
        return not_graded(rubric, _loader(str(exc)), learning, start, course)
    zygote.preload(_named(rubric.exercise.preload, source))
    extra: Extra = {"graded_file": source.graded.name, "graded_why": source.why}
    timing = {"load": time.monotonic() - start}
    done = [
        _grade_part(graded, source, zygote, rubric, limits, learning, course if graded is lead else None)
        for graded in rubric.parts
    ]
    extra["sandbox"] = list(done[0].layers)
    if all(part.assessment is None for part in done):  # nothing imported: the first part's reason says why
        reason = Markdown(" ".join([f"importing it failed: {text.escaped(done[0].error)}", *source.notes]))
        not_run = not_graded(rubric, reason, learning, start, course, extra)
        not_run["output"] += done[0].printed
        return not_run
    notes = [_loader(note) for note in source.notes]
    return document(done, rubric, course, notes, extra, time.monotonic() - start, timing)


def _named(modules: Tuple[str, ...], source: Source) -> Tuple[str, ...]:
    """The exercise's preloaded modules whose package the submission's files name: one that never
    mentions scipy does not wait the second the zygote takes to import it (once per grader)."""
    return tuple(name for name in modules if any(name.split(".")[0] in text for text in source.files.values()))


def _grade_part(
    graded: Graded,
    source: Source,
    zygote: Zygote,
    rubric: Rubric,
    limits: Limits,
    learning: bool,
    course: Optional[CourseTests],
) -> Done:
    """One part's checks on the loaded source, in a sandboxed child of its own (and one for its hidden cases)."""
    start = time.monotonic()
    weights = weights_of(graded, learning)
    contract = graded.part.contract
    oracle = _oracle(zygote, source, contract, limits)
    # Its child starts only once oracle's has ended (assessment.py); what it prints is never shown.
    hidden_oracle = _oracle(zygote, source, contract, limits)
    try:
        error = oracle.import_submission()
        if error is not None:
            return Done(graded, weights, None, error, _printed(oracle), oracle.layers)
        imported = time.monotonic()
        result = assess(
            oracle,
            graded.part,
            graded.cases,
            weights,
            lambda: rubric.suspects(graded.function),
            learn=_learns(rubric, graded, weights, lambda contract: _oracle(zygote, source, contract, limits)),
            hidden_oracle=hidden_oracle,
            held=rubric.held,
            course_tests=course.ask if course else None,
        )
        result.timing = {"import": imported - start, **result.timing}
        return Done(graded, weights, result, "", _printed(oracle), oracle.layers)
    finally:
        oracle.close()
        hidden_oracle.close()


def not_graded(
    rubric: Rubric,
    reason: Markdown,
    learning: bool = True,
    start: Optional[float] = None,
    course: Optional[CourseTests] = None,
    extra: Optional[Extra] = None,
) -> Results:
    """Every test of every part at zero, the course's own too, for a submission that could not run at all."""
    several = len(rubric.parts) > 1
    weights: Dict[str, float] = {}
    titles: Dict[str, str] = {}
    for graded in rubric.parts:
        for key, weight in weights_of(graded, learning).items():
            title = graded.part.titles[key]
            key, title = labelled(graded.function, key, title) if several else (key, title)
            weights[key], titles[key] = weight, title
    more: List[Test] = []
    if course:
        course.not_run(reason)
        more = course.tests(len(weights) + 1)
    seconds = 0.0 if start is None else time.monotonic() - start
    return results.not_graded(weights, titles, reason, seconds, extra=extra, more=more)


def grade_safely(path: Path, zygote: Zygote, rubric: Rubric, **options) -> Results:
    """grade_submission(), but a fault of ours becomes an "Autograder error" result instead of an exception."""
    start = time.monotonic()
    try:
        return grade_submission(path, zygote, rubric, **options)
    except Exception:
        return results.grader_fault(traceback.format_exc(), time.monotonic() - start)


def _stub(rubric: Rubric) -> str:
    """The handout's stub, which the loader never grades while another file defines the function."""
    return stub_text(rubric.name)


def _oracle(zygote: Zygote, source: Source, contract: Contract, limits: Limits) -> SandboxOracle:
    return SandboxOracle(zygote, source.files, contract, limits, source.shown)


def _learns(
    rubric: Rubric, graded: Graded, weights: Dict[str, float], open_oracle: Callable[[Contract], SandboxOracle]
) -> List[Learn]:
    """The part's learning checks still weighed (--no-learning weighs none); a trainer that asks
    other functions of the upload (its ALSO) gets their oracles, each in a child of its own."""
    from grader.course.rubric import solution
    from grader.learning.check import also_of, check_learning, trainer  # gymnasium only when learning is graded

    def learn(declared: Check, oracle: Oracle) -> Tuple[CheckResult, Dict]:
        learning, weight = trainer(solution(rubric.name, graded.function).trainer(declared)), weights[declared.key]
        others: Dict[str, Tuple[Oracle, Part]] = {}
        opened: List[SandboxOracle] = []
        try:
            for function in also_of(learning):
                part = rubric.exercise.part(function)
                opened.append(open_oracle(part.contract))
                error = opened[-1].import_submission()
                if error is not None:
                    why = f"This check trains with your `{function}` too, which could not be imported: "
                    return CheckResult(
                        declared.key, declared.title, weight, False, Markdown(why + text.escaped(error))
                    ), {}
                others[function] = (opened[-1], part)
            return check_learning(oracle, graded.part, declared, learning, weight, also=others)
        finally:
            for other in opened:
                other.close()

    return [functools.partial(learn, declared) for declared in graded.part.learnings if declared.key in weights]


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
