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
from grader.text import printable

TITLE = "# Autograder feedback"


def feedback_markdown(entry: str, people: Sequence[Dict[str, str]], document: dict) -> str:
    """The feedback file for one entry; `people` are its submitters (name, email)."""
    lines = [TITLE, "", f"Submission: {_who(entry, people)}", "", str(document.get("output", "")).strip(), ""]
    for test in document.get("tests") or []:
        visibility = test.get("visibility", VISIBLE)
        if visibility == "hidden":
            continue
        mark = "passed" if test.get("status") == "passed" else "failed"
        points = f"{float(test.get('score', 0)):g} / {float(test.get('max_score', 0)):g}"
        when = f"; on Gradescope, shown {WHEN[visibility]}" if visibility in WHEN else ""
        lines += [f"## {test.get('name', '')} ({points}, {mark}{when})", "", str(test.get("output", "")).strip(), ""]
    return printable("\n".join(lines).rstrip() + "\n")


def _who(entry: str, people: Sequence[Dict[str, str]]) -> str:
    names: List[str] = []
    for person in people:
        name, email = person.get("name", ""), person.get("email", "")
        names.append(f"{name} <{email}>" if name and email else name or email)
    shown = "; ".join(name for name in names if name)
    fence = "``" if "`" in entry else "`"
    return f"{fence}{entry}{fence}" + (f" ({shown})" if shown else "")
