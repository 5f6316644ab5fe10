"""Text for a student's terminal: the results with what is wrong first, a check that passed shown
as passed, long lines wrapped to 100 columns and code left as it is."""

from __future__ import annotations

import re
import textwrap
from typing import List, Set

from grader.checks.dependence import PASSED_ALONE
from grader.outputs.results import Results, Test, to_text
from grader.text import unbolded

WIDTH = 100
_LEAD = re.compile(r"\s*(?:[-*] |\d+\. |\[(?:PASS|FAIL)\] )?")  # an item's mark: its wrapped lines go under its text


def wrap(text: str, width: int = WIDTH) -> str:
    """text with every line longer than width wrapped at spaces, its continuation lines indented
    under the line's text; lines inside ``` fences, and words longer than width, are kept whole."""
    out: List[str] = []
    fenced = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if fenced or len(line) <= width or line.lstrip().startswith("```"):
            out.append(line)
            continue
        lead = _LEAD.match(line)
        indent = " " * (lead.end() if lead else 0)
        out += textwrap.wrap(line, width, subsequent_indent=indent, break_long_words=False, break_on_hyphens=False) or [
            line
        ]
    return "\n".join(out)


def report(document: Results) -> str:
    """A results document as the self-check prints it: the score and what is wrong, then each check,
    no paragraph said twice. A check that passed but scores nothing, because the loss cannot train
    (said above), is shown as passed, with 0 points."""
    said = {part.strip() for part in document["output"].split("\n\n")}
    tests = [_shown(test, said) for test in document["tests"]]
    checks = to_text({**document, "tests": tests, "output": ""}).rstrip()
    return wrap(to_text({**document, "tests": []}).strip() + "\n\n" + checks)


def _shown(test: Test, said: Set[str]) -> Test:
    """A passed check as its one line: what it found is "as expected"; a failed one without the
    paragraphs the lead said, its diagnosis's title plain text rather than markdown's bold."""
    output = test.get("output", "")
    if PASSED_ALONE in output or test["status"] == "passed":
        return {**test, "status": "passed", "output": ""}
    kept = "\n\n".join(part for part in output.split("\n\n") if part.strip() not in said)
    return {**test, "output": unbolded(kept)}
