"""OUT/feedback/<entry>.md: what the student sees on Gradescope, one file per entry, ready to send.

The text is the results document's own: its top-level output (score, failed tests,
diagnosis, what the code printed) and each test the student may see, with its points
and output, in Gradescope's order, saying when Gradescope shows one held back
(checks/held.py). Tests hidden from students (visibility "hidden") and everything
in extra_data stay out. A late penalty and the course staff's adjustments (overrides.csv)
follow, with the grade of record, when there are any.
"""

from __future__ import annotations

from typing import Dict, List, Optional, Sequence

from grader.checks.held import VISIBLE, WHEN
from grader.outputs.results import Results
from grader.outputs.students import LatePolicy, Student
from grader.text import Markdown, code, escaped, printable

TITLE = "# Autograder feedback"


def feedback_markdown(
    entry: str,
    people: Sequence[Dict[str, str]],
    document: Results,
    lines: Sequence[Student] = (),
    policy: Optional[LatePolicy] = None,
) -> Markdown:
    """The feedback file for one entry; `people` are its submitters (name, email), as the export
    gives them; lines: their gradebook lines (students.Student), policy: the late policy
    (students.LatePolicy) if one is set. The document's texts are Markdown already (results.py
    made them)."""
    text = [TITLE, "", f"Submission: {_who(entry, people)}", "", str(document.get("output", "")).strip(), ""]
    for test in document.get("tests") or []:
        visibility = test.get("visibility", VISIBLE)
        if visibility == "hidden":
            continue
        mark = "passed" if test.get("status") == "passed" else "failed"
        points = f"{float(test.get('score', 0)):g} / {float(test.get('max_score', 0)):g}"
        when = f"; on Gradescope, shown {WHEN[visibility]}" if visibility in WHEN else ""
        text += [f"## {test.get('name', '')} ({points}, {mark}{when})", "", str(test.get("output", "")).strip(), ""]
    text += _adjusted(lines, policy)
    return Markdown(printable("\n".join(text).rstrip() + "\n"))


def _adjusted(lines: Sequence[Student], policy: Optional[LatePolicy]) -> List[str]:
    """The late penalty and the staff's adjustments of each submitter, and their grade of record."""
    changed = [line for line in lines if line.late_penalty or line.adjustment]
    if not changed:
        return []
    text = ["## Late penalty and adjustments by the course staff", ""]
    for line in changed:
        name = escaped(line.person.get("name", "")) if len(lines) > 1 and line.person.get("name") else ""
        said = [f"{name}:"] * bool(name)
        if line.late_penalty:
            rule = f" ({escaped(policy.describe())})" if policy is not None else ""
            said.append(f"submitted {float(line.hours_late):g} hours late: −{line.late_penalty:g} points{rule}.")
        for comment in line.comments:
            said.append(f"Adjusted: {escaped(comment)}.")
        said.append(f"**Grade: {line.final:g}** (the autograder's {line.row['score']:g}).")
        text += ["- " + " ".join(said), ""]
    return text


def _who(entry: str, people: Sequence[Dict[str, str]]) -> Markdown:
    """The entry's name in code, and its submitters' names and emails as text."""
    names: List[str] = []
    for person in people:
        name, email = str(person.get("name", "")), str(person.get("email", ""))
        names.append(f"{name} <{email}>" if name and email else name or email)
    shown = escaped("; ".join(name for name in names if name))
    return Markdown(code(entry) + (f" ({shown})" if shown else ""))
