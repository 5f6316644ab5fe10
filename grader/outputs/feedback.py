"""OUT/feedback/<entry>.md: what the student sees on Gradescope, one file per entry, ready to send.

The text is the results document's own: its top-level output (score, failed tests,
diagnosis, what the code printed) and each test the student may see, with its points
and output, in Gradescope's order, saying when Gradescope shows one held back
(checks/held.py). Tests hidden from students (visibility "hidden") and everything
in extra_data stay out.
"""

from __future__ import annotations

from typing import Dict, List, Sequence

from grader.checks.held import VISIBLE, WHEN
from grader.text import Markdown, code, escaped, printable

TITLE = "# Autograder feedback"


def feedback_markdown(entry: str, people: Sequence[Dict[str, str]], document: dict) -> Markdown:
    """The feedback file for one entry; `people` are its submitters (name, email), as the export
    gives them. The document's texts are Markdown already (results.py made them)."""
    lines = [TITLE, "", f"Submission: {_who(entry, people)}", "", str(document.get("output", "")).strip(), ""]
    for test in document.get("tests") or []:
        visibility = test.get("visibility", VISIBLE)
        if visibility == "hidden":
            continue
        mark = "passed" if test.get("status") == "passed" else "failed"
        points = f"{float(test.get('score', 0)):g} / {float(test.get('max_score', 0)):g}"
        when = f"; on Gradescope, shown {WHEN[visibility]}" if visibility in WHEN else ""
        lines += [f"## {test.get('name', '')} ({points}, {mark}{when})", "", str(test.get("output", "")).strip(), ""]
    return Markdown(printable("\n".join(lines).rstrip() + "\n"))


def _who(entry: str, people: Sequence[Dict[str, str]]) -> Markdown:
    """The entry's name in code, and its submitters' names and emails as text."""
    names: List[str] = []
    for person in people:
        name, email = str(person.get("name", "")), str(person.get("email", ""))
        names.append(f"{name} <{email}>" if name and email else name or email)
    shown = escaped("; ".join(name for name in names if name))
    return Markdown(code(entry) + (f" ({shown})" if shown else ""))
