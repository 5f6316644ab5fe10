"""`python -m grader gradescope`: grade /autograder/submission into /autograder/results/results.json.

Gradescope's layout under the root (default /autograder)::

    source/                    this zip, unpacked (grader, reference, hidden cases)
    submission/                the student's upload: files, maybe inside folders
    submission_metadata.json   who submitted, when (optional)
    results/results.json       what we write, always, even when the grader breaks

Only this trusted process writes results.json, last, atomically: whatever the
submission wrote there is overwritten. What is printed here goes to the
autograder's stdout, which results.json marks hidden from students.
"""

from __future__ import annotations

import json
import time
import traceback
from pathlib import Path
from typing import Optional

from grader.errors import Exit
from grader.outputs import results
from grader.text import printable


def run(root: Path, exercise: str) -> Exit:
    start = time.monotonic()
    document: Optional[results.Results] = None
    try:
        document = _grade(root, exercise)
    except Exception:
        trace = traceback.format_exc()
        print(printable(trace))
        document = results.grader_fault(trace, time.monotonic() - start)
    finally:
        if document is None:  # a BaseException (KeyboardInterrupt, SystemExit) is on its way up
            document = results.grader_fault("interrupted", time.monotonic() - start)
        results.write(root / "results" / "results.json", document)
    return Exit.OK  # results.json says the rest, whatever happened


def _grade(root: Path, exercise: str) -> results.Results:
    from grader.sandbox.parent import Zygote

    with Zygote.start() as zygote:  # before the rubric imports the reference
        from grader.course import rubric
        from grader.verbs.grade import grade_safely

        print(printable(_who(root / "submission_metadata.json")))  # stdout: instructors read it on Gradescope
        document = grade_safely(root / "submission", zygote, rubric.load_rubric(exercise))
    extra = document["extra_data"]
    print(
        printable(
            f"graded file: {extra.get('graded_file')}; sandbox layers: {', '.join(extra.get('sandbox', [])) or 'none'}"
        )
    )
    print(f"score {document['score']:g}; mistakes {extra.get('mistakes')}; timing {extra.get('timing')}")
    if extra.get("grader_fault"):
        print(printable(extra["grader_fault"]))
    return document


def _who(path: Path) -> str:
    try:
        metadata = json.loads(path.read_text())
        users = ", ".join(f"{u.get('name')} <{u.get('email')}>" for u in metadata.get("users", []))
        return f"submission {metadata.get('id')} by {users or 'unknown'} at {metadata.get('created_at')}"
    except (OSError, ValueError, AttributeError):
        return "no submission metadata"
