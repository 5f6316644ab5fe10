"""Text in the class report's Markdown tables: the grader's own words as plain cells, a student's
(entry names, error messages, names from the export) as code spans, where nothing is markup."""

from __future__ import annotations

from urllib.parse import quote

from grader.text import code, printable


def first_line(text: object, limit: int) -> str:
    """First line, control characters written out, capped."""
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    line = printable(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def cell(text: object, limit: int = 120) -> str:
    """One table cell of the grader's own text (test names, mistake titles): no table breaks,
    HTML or links."""
    return first_line(text, limit).replace("|", "\\|").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")


def quoted(text: object, limit: int = 120) -> str:
    """One table cell of a student's text (entry names, error messages) as a code span, where
    Markdown makes no link, autolink (`www.…`, `https://…`), HTML or emphasis of anything; a |
    must still be escaped in a table (GFM splits the row before it reads the span)."""
    line = first_line(text, limit)
    return code(line).replace("|", "\\|") if line else ""


def linked(text: object, target: str, limit: int = 60) -> str:
    """quoted(text) as a link to one of the batch's own files (feedback/<entry>.md), whose name
    is percent-encoded: whatever the entry is called, the link leads there and nowhere else."""
    shown = quoted(text, limit)
    return f"[{shown}]({quote(target)})" if target and shown else shown


def pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"
