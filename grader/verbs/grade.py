"""Grade one submission: load → one sandboxed child for every part → each part's public cases and
probes, the learning checks, the course's own tests → the child ends → every part's hidden cases in
a fresh child → checks, diagnosis → one results.json for the upload.

``grade_submission`` never raises for anything a submission does; ``grade_safely`` also
turns a fault of the grader itself into a valid results.json, so a file is
always written.
"""

from __future__ import annotations

import functools
import time
import traceback
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from grader import text
from grader.calling.oracle import Failure, Oracle
from grader.checks import verdicts
from grader.checks.assessment import Asked, ask_public, conclude, timed
from grader.checks.verdicts import CheckResult
from grader.course.rubric import Graded, Rubric, stub_text
from grader.outputs import results
from grader.outputs.results import Extra, Results, Test
from grader.sandbox.parent import Limits, Zygote
from grader.sandbox.sandboxed import SandboxChild
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
    public, hidden = _child(zygote, source, rubric, limits), _child(zygote, source, rubric, limits)
    try:
        errors = public.import_submission()
        extra["sandbox"] = list(public.layers)
        timing["import"] = time.monotonic() - start - timing["load"]
        imported = [graded for graded in rubric.parts if errors[graded.function] is None]
        if not imported:  # nothing imported: the first part's reason says why
            reason = Markdown(
                " ".join([f"importing it failed: {text.escaped(errors[lead.function] or '')}", *source.notes])
            )
            not_run = not_graded(rubric, reason, learning, start, course, extra)
            not_run["output"] += _printed(public)
            return not_run
        done = _grade_parts(rubric, imported, public, hidden, learning, course if lead in imported else None)
    finally:
        public.close()
        hidden.close()
    done += [
        Done(g, weights_of(g, learning), None, errors[g.function] or "") for g in rubric.parts if g not in imported
    ]
    done.sort(key=lambda part: rubric.parts.index(part.graded))
    notes = [_loader(note) for note in source.notes]
    return document(done, rubric, course, notes, extra, time.monotonic() - start, timing, _printed(public))


def _named(modules: Tuple[str, ...], source: Source) -> Tuple[str, ...]:
    """The exercise's preloaded modules whose package the submission's files name: one that never
    mentions scipy does not wait the second the zygote takes to import it (once per grader)."""
    return tuple(name for name in modules if any(name.split(".")[0] in text for text in source.files.values()))


def _grade_parts(
    rubric: Rubric,
    parts: List[Graded],
    public: SandboxChild,
    hidden: SandboxChild,
    learning: bool,
    course: Optional[CourseTests],
) -> List[Done]:
    """The phases in the order assessment.py gives, each for every part that imported."""
    weights = {graded.function: weights_of(graded, learning) for graded in parts}
    asked: Dict[str, Asked] = {g.function: ask_public(public.oracle(g.function), g.part, g.cases) for g in parts}
    with timed(asked[parts[0].function].timing, "learning"):
        learned = _learn(rubric, parts, weights, asked, public)
    if course is not None:
        with timed(asked[parts[0].function].timing, "course_tests"):
            course.ask(public.oracle(parts[0].function))
    ended = public.close()  # a child of the public phase that may still be alive: ask nothing hidden
    found = {}
    for graded in parts:
        with timed(asked[graded.function].timing, "hidden"):
            asking: Oracle = hidden.oracle(graded.function) if ended else _Unasked()
            found[graded.function] = verdicts.ask_hidden(asking, graded.cases)
    hidden.close()
    return [
        Done(
            graded,
            weights[graded.function],
            conclude(
                asked[graded.function],
                found[graded.function],
                learned[graded.function],
                graded.part,
                graded.cases,
                weights[graded.function],
                functools.partial(rubric.suspects, graded.function),
                rubric.held,
            ),
            "",
        )
        for graded in parts
    ]


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


def _child(zygote: Zygote, source: Source, rubric: Rubric, limits: Limits) -> SandboxChild:
    contracts = [graded.part.contract for graded in rubric.parts]
    return SandboxChild(zygote, source.files, contracts, limits, source.shown)


def _learn(
    rubric: Rubric,
    parts: List[Graded],
    weights: Dict[str, Dict[str, float]],
    asked: Dict[str, Asked],
    child: SandboxChild,
) -> Dict[str, List[Tuple[CheckResult, Dict]]]:
    """Every part's learning checks still weighed (--no-learning weighs none), by function, each
    distinct training once (learning/trainings.py); a partner is the student's function when its
    part passes every public check, else the reference's."""
    from grader.calling.oracle import LocalOracle
    from grader.course.rubric import solution
    from grader.learning import trainings  # gymnasium only when learning is graded
    from grader.learning.check import trainer

    pending = [
        trainings.Pending(
            g.part, check, trainer(solution(rubric.name, g.function).trainer(check)), weights[g.function][check.key]
        )
        for g in parts
        for check in g.part.learnings
        if check.key in weights[g.function]
    ]
    if not pending:
        return {g.function: [] for g in parts}
    imported = {g.function: g for g in parts}
    functions = {
        part.function: trainings.Function(
            part,
            child.oracle(part.function) if part.function in imported else None,
            part.function in imported and _passes_public(imported[part.function], asked[part.function]),
            LocalOracle(solution(rubric.name, part.function).reference, part.contract),
            child.errors.get(part.function) or "",
        )
        for part in rubric.exercise.parts
    }
    results = trainings.run_checks(pending, functions)
    return {g.function: [r for p, r in zip(pending, results) if p.part.function == g.function] for g in parts}


def _passes_public(graded: Graded, asked: Asked) -> bool:
    """Every check of the part passes on its public cases (the learning checks aside)."""
    return all(check.passed for check in verdicts.score(asked.public, {}, graded.weights, graded.part))


class _Unasked:
    """Stands in for the hidden child when it must not start: every hidden case fails."""

    def call(self, *args, **kwargs) -> Failure:
        return Failure("skipped", "not run: the previous sandboxed process did not end")


def _printed(child: SandboxChild) -> Markdown:
    printed = child.output.text()
    if not printed.strip():
        return Markdown("")
    shown = text.fenced(text.cap_text(printed, OUTPUT_SHOWN_BYTES))
    return Markdown(f"\n\nYour code printed ({child.output.total} bytes; first and last lines shown):\n{shown}")


def _loader(message: str) -> Markdown:
    """A note or error of the loader: its own words, every name and line of the submission in it
    put in by text.code (submission/)."""
    return Markdown(message)
