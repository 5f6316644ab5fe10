"""Text for a student's terminal: long lines wrapped to 100 columns, code left as it is."""

from __future__ import annotations

import re
import textwrap
from typing import List

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
