"""Feedback as Gradescope shows it: every text parsed as CommonMark (markdown-it-py), and the
places where it would not render as written.

Gradescope renders a test's `output` (output_format "md") as Markdown. A fenced
code block that does not close where it was meant to turns the rest of the test
into code; the grade fixture (conftest.py) runs ``document_problems`` on every document
the tests grade, so every feedback text the suite produces is checked.
"""

from __future__ import annotations

from typing import Dict, List

from markdown_it import MarkdownIt

_PARSER = MarkdownIt("commonmark")


def problems(text: str) -> List[str]:
    """Why text would not render as written, one line each: a code block that runs to the end of
    the text instead of closing, a fence left in running text, an inline code span left open."""
    lines = text.splitlines()
    found = []
    for token in _PARSER.parse(text):
        if token.type == "fence" and token.map is not None:
            start, end = token.map
            last = lines[end - 1].strip() if end - 1 > start else ""
            if not (len(last) >= len(token.markup) and set(last) == {token.markup[0]}):
                found.append(f"the code block opened on line {start + 1} never closes: {lines[start]!r}")
        for child in token.children or []:
            if child.type == "text" and "`" in child.content:
                found.append(f"a backtick outside code: {child.content!r}")
    return found


def document_problems(document: Dict) -> List[str]:
    """problems() of every Markdown text of a results.json document, each prefixed with where."""
    texts = [("output", document.get("output", ""))]
    texts += [(test["name"], test.get("output", "")) for test in document.get("tests", [])]
    return [f"{where}: {problem}" for where, text in texts for problem in problems(text)]
