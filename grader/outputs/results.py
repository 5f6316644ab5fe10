"""Gradescope's results.json, built in one place from plain data, and its terminal rendering.

Same schema as gradescope-utils' JSONTestRunner (score, max_score, status,
visibility, tags, output per test); our checks do not run through that runner,
which grades unittest tests executing in its own process, while they judge
answers that came back from a sandbox. A course's own tests do
(verbs/extra_tests.py), and join the document here.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Literal, Mapping, Optional, Sequence, Tuple, TypedDict

from grader.checks.held import VISIBLE, WHEN
from grader.checks.verdicts import CheckResult
from grader.outputs.atomic import write_atomic
from grader.text import Markdown, cap_text, open_fence, plain, printable, unbolded

TEST_OUTPUT_BYTES = 4096  # per test, what a student sees
TOP_OUTPUT_BYTES = 16384

# extra_data["status"] of a document: its checks ran; the submission could not run at all (every
# check at zero); the grader itself failed on it. Written to JSON as these very strings.
Status = Literal["graded", "not graded", "grader error"]
GRADED: Status = "graded"
NOT_GRADED: Status = "not graded"
GRADER_ERROR: Status = "grader error"
STATUSES: Tuple[Status, ...] = (GRADED, NOT_GRADED, GRADER_ERROR)


class _TestRequired(TypedDict):
    name: str
    score: float
    max_score: float
    status: Literal["passed", "failed"]


class Test(_TestRequired, total=False):
    """One test as Gradescope reads it (test_entry)."""

    number: str
    output: str
    output_format: str
    visibility: str
    tags: List[str]  # the mistake IDs its feedback names


class NotGraded(TypedDict):
    reason: str  # why the submission could not run at all, as plain text (the summary says it in Markdown)


class PartScore(TypedDict):
    score: float  # every test of the part, held back or not
    max_score: float
    mistakes: List[str]


class Extra(TypedDict, total=False):
    """extra_data: what the course staff's tools read, never shown to a student."""

    status: Status
    mistakes: List[str]  # the IDs of the mistakes named
    not_graded: NotGraded  # with status NOT_GRADED
    wrong: str  # the summary's "What is wrong" sentence, as plain text; "" when nothing shown failed
    grader_fault: str  # with status GRADER_ERROR: the traceback
    graded_file: str
    graded_why: str
    sandbox: List[str]  # the sandbox's layers the child had
    hidden: Dict[str, Dict]  # per check, its failed hidden cases (checks/assessment.hidden_results)
    timing: Dict[str, float]  # seconds per phase
    parts: Dict[str, PartScore]  # by function, in an exercise of several parts
    extra_tests: Dict  # the course's own tests (verbs/extra_tests.py)
    learning: Dict  # the learning check's runs (outputs/stats.py)
    batch: Dict  # what the batch adds: fingerprint, code, files, seconds, attempts


class Results(TypedDict):
    """results.json, as _document makes it."""

    score: float
    execution_time: float
    output: str
    output_format: str
    stdout_visibility: str
    tests: List[Test]
    extra_data: Extra


def test_entry(
    number: object,
    name: str,
    score: float,
    max_score: float,
    passed: bool,
    output: Markdown,
    visibility: str = VISIBLE,
    tags: Sequence[str] = (),
) -> Test:
    """One test as Gradescope reads it; tags (the mistake IDs its feedback names) only when there are some."""
    entry: Test = {
        "name": name,
        "number": str(number),
        "score": score,
        "max_score": max_score,
        "status": "passed" if passed else "failed",
        "output": cap_text(output, TEST_OUTPUT_BYTES),
        "output_format": "md",
        "visibility": visibility,
    }
    if tags:
        entry["tags"] = list(tags)
    return entry


def build(
    checks: Sequence[CheckResult],
    *,
    summary: Markdown,
    mistakes: Sequence[str] = (),
    extra: Optional[Extra] = None,
    seconds: float = 0.0,
    more: Sequence[Test] = (),
) -> Results:
    """The whole results.json document for graded checks; more: tests made elsewhere, already in
    Gradescope's form (the course's own, verbs/extra_tests.py), after ours."""
    tests = [
        test_entry(
            number,
            f"{number}. {check.title}",
            check.score,
            check.max_score,
            check.passed,
            check.output,
            check.visibility,
            check.tags,
        )
        for number, check in enumerate(checks, start=1)
    ]
    return _document(tests + list(more), summary, mistakes, {"status": GRADED, **(extra or {})}, seconds)


def _document(tests: List[Test], summary: Markdown, mistakes: Sequence[str], extra: Extra, seconds: float) -> Results:
    """extra_data is never shown to students: instructor-only details go there."""
    document: Results = {
        "score": sum(test["score"] for test in tests),
        "execution_time": round(seconds, 3),
        "output": cap_text(f"{score_line(tests)}\n\n{summary}", TOP_OUTPUT_BYTES),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"mistakes": list(mistakes), **extra},
    }
    return document


def score_line(tests: Sequence[Test]) -> str:
    """The top of the summary: the score of the tests a student can see now, and when the others
    are shown (Gradescope shows no total while a test is held back: checks/held.py)."""
    later = [test for test in tests if test.get("visibility", VISIBLE) != VISIBLE]
    seen = [test for test in tests if test.get("visibility", VISIBLE) == VISIBLE]
    score = f"{sum(t['score'] for t in seen):g} / {sum(t['max_score'] for t in seen):g}"
    if not later:
        return f"**Score: {score}**"
    when = " or ".join(sorted({WHEN.get(test["visibility"], "later") for test in later}))
    points = sum(test["max_score"] for test in later)
    return f"**Score on the tests shown now: {score}** ({len(later)} more tests, worth {points:g} points, are shown {when})"


def not_graded(
    weights: Mapping[str, float],
    titles: Mapping[str, str],
    reason: Markdown,
    seconds: float = 0.0,
    extra: Optional[Extra] = None,
    more: Sequence[Test] = (),
) -> Results:
    """Every check at zero, for a submission that could not be run at all (titles: by check, in order);
    more: other tests, as build's."""
    checks = [
        CheckResult(key, title, weights[key], False, Markdown(f"Not run: {reason}"))
        for key, title in titles.items()
        if key in weights
    ]
    return build(
        checks,
        summary=Markdown(f"Your submission could not be graded: {reason}"),
        seconds=seconds,
        extra={**(extra or {}), "status": NOT_GRADED, "not_graded": {"reason": plain(reason)}},
        more=more,
    )


def grader_fault(trace: str, seconds: float = 0.0) -> Results:
    """The grader itself failed: one visible zero test, the traceback only for instructors."""
    test = test_entry(
        1,
        "Autograder error",
        0.0,
        0.0,
        False,
        Markdown("The autograder failed on this submission; the course staff has the details."),
    )
    return _document(
        [test],
        Markdown("The autograder failed on this submission. This is not your fault: please tell the course staff."),
        (),
        {"status": GRADER_ERROR, "grader_fault": trace},
        seconds,
    )


def to_text(document: Results) -> str:
    """A results.json document as a student reads it in a terminal: each paragraph once, since
    the diagnosis is repeated in every failing test for Gradescope's sake; a test whose paragraphs
    were all shown above says under which test."""
    lines: List[str] = []
    shown: Dict[str, str] = {}  # paragraph -> the number of the test that showed it first
    for test in document["tests"]:
        mark = "PASS" if test["status"] == "passed" else "FAIL"
        lines.append(f"[{mark}] {test['name']}  ({test['score']:g}/{test['max_score']:g})")
        number = str(test.get("number", test["name"]))
        earlier: List[str] = []
        told = 0
        for paragraph in _paragraphs(test.get("output", "")):
            if paragraph in shown:  # said above: under an earlier test, or this one
                earlier += [] if shown[paragraph] in earlier + [number] else [shown[paragraph]]
                continue
            shown[paragraph] = number
            told += 1
            lines.extend("       " + line for line in paragraph.splitlines())
        if earlier:
            where = ("tests " if len(earlier) > 1 else "test ") + " and ".join(sorted(earlier, key=_number))
            lines.append(f"       ({'the rest ' if told else ''}as under {where} above)")
    lines.append("")
    lines.append(unbolded(document["output"]))
    return printable("\n".join(lines))  # whatever made the document: it reaches a terminal


def _number(name: str) -> Tuple[int, str]:
    return (int(name), "") if name.isdigit() else (0, name)


def _paragraphs(text: str) -> List[str]:
    """Markdown paragraphs, a fenced code block kept whole even with blank lines inside."""
    found: List[str] = []
    for part in text.split("\n\n"):
        if found and open_fence(found[-1]):  # still inside a block that started above
            found[-1] += "\n\n" + part
        else:
            found.append(part)
    return [part for part in found if part.strip()]


def dumps(document: Results) -> str:
    """The document as JSON, no string in it holding a control, invisible or direction character
    raw (printable), wherever in the document it came from."""
    return json.dumps(_visible(document), indent=2, sort_keys=False)


def _visible(value: object) -> object:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {_visible(key): _visible(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_visible(item) for item in value]
    return value


def write(path: Path, document: Results) -> None:
    write_atomic(path, dumps(document))
