"""Feedback renders as written: numbers, inline code, code blocks, cut text, the terminal view.

Gradescope renders each test's output as CommonMark; these tests parse what the
grader writes with markdown-it-py (tests/rendered.py), for any text a
student's code can put in it. Every document the grade fixture produces is
checked the same way (conftest.py).
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from rendered import problems

from grader.calling.answer import Answer
from grader.checks.cases import Case, Expected
from grader.checks.trials import Trial, headline, over_cases
from grader.outputs.results import to_text
from grader.text import cap_text, code, fenced, fmt, fmt_array, printable

PARSER = MarkdownIt("commonmark")
LINE = st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("` ~\\*_"), min_size=1)


def inline_codes(markdown: str) -> list:
    return [c.content for t in PARSER.parse(markdown) for c in t.children or [] if c.type == "code_inline"]


def test_zero_is_printed_without_a_sign():
    assert fmt(-0.0) == "0" and fmt(np.float64(-0.0)) == "0" and fmt_array([-0.0, 1.5]) == "[0, 1.5]"
    assert fmt(-1e-9) == "-1e-09"  # a small negative number keeps its sign


@given(LINE)
def test_any_text_becomes_exactly_one_code_span(text):
    assert inline_codes(f"said {code(text)} here") == [" ".join(printable(text).splitlines())]


@given(st.lists(LINE, min_size=1, max_size=6))
def test_a_fenced_block_closes_whatever_its_lines_hold(lines):
    body = "\n".join(lines)
    tokens = PARSER.parse(f"before\n\n{fenced(body)}\n\nafter")
    fences = [t for t in tokens if t.type == "fence"]
    assert len(fences) == 1 and fences[0].content == printable(body).rstrip() + "\n"
    assert [t.content for t in tokens if t.type == "inline"][-1] == "after"


BLOCK = st.builds(lambda lines: fenced("\n".join(lines)), st.lists(st.text("ab `~\n", max_size=30), max_size=8))
PARAGRAPH = st.text("abc .\n", min_size=1, max_size=80).map(lambda s: s.strip() or "x")


@given(st.lists(BLOCK | PARAGRAPH, min_size=1, max_size=30), st.integers(40, 600))
def test_cutting_a_long_text_never_leaves_a_block_open(parts, limit):
    text = "\n\n".join(parts)
    assert problems(text) == []
    assert problems(cap_text(text, limit)) == []


def test_cutting_inside_a_block_keeps_what_follows_as_text():
    text = "intro\n\n```\n" + "\n".join(f"frame {i}" for i in range(300)) + "\n```\n\nThe rest is text."
    cut = cap_text(text, 600)
    assert "lines cut" in cut and problems(cut) == []
    assert [t.content for t in PARSER.parse(cut) if t.type == "inline"][-1] == "The rest is text."


@pytest.mark.parametrize(
    "error, line",
    [
        (
            "ValueError: bad logits tensor([[0.1, 0.2],\n        [1.66, -11.7]], grad_fn=<AddBackward0>)",
            "ValueError: bad logits tensor([[0.1, 0.2],",
        ),
        ('  File "<string>", line 1\n    x +\n       ^\nSyntaxError: invalid syntax', "SyntaxError: invalid syntax"),
        ("RuntimeError: \n  the real message", "RuntimeError: the real message"),
        ("", "(an error with no message)"),
    ],
)
def test_an_error_is_shown_by_its_type_and_first_line(error, line):
    assert headline(error) == line


def _raised(traceback: str) -> Answer:
    return Answer(
        error="ValueError: first line\n    [1, 2]]", traceback=traceback, memory=False, returned=None, tensor=False,
        shape=None, dtype=None, connected=False, backward_error=None, mutated=(), largest=None, seconds=0.0,
        value=None, grads={},
    )  # fmt: skip


def _trial(seed: int, outcome: Answer) -> Trial:
    arrays = (np.zeros((2, 2), np.float32), np.zeros(2, np.int64), np.zeros(2, np.float32))
    expected = Expected(0.0, {"logits": np.zeros((2, 2))}, 1e-6, {"logits": 1e-6})
    return Trial(Case("policy", seed, False, arrays, (("N", 2), ("A", 2))), expected, outcome)


@pytest.mark.parametrize("frames", ['  File "pseudo_loss.py", line 3\n    raise ValueError(f"```{x}")\n', "  x\n"])
def test_a_traceback_block_closes_before_the_sentences_after_it(frames):
    passed, text, _ = over_cases([_trial(1, _raised(frames)), _trial(2, _raised(frames))], lambda t, a: None, "ok")
    assert not passed and problems(text) == []
    first, block = text.split("\n\n", 1)
    assert first.startswith("On public case seed 1 (N=2, A=2): the function raised `ValueError: first line`")
    assert first.endswith("1 more of the 2 public cases fail too.") and block.startswith("```")


def _document(*outputs: str) -> dict:
    tests = [
        {"name": f"{i}. check {i}", "number": str(i), "score": 0, "max_score": 1, "status": "failed", "output": out}
        for i, out in enumerate(outputs, start=1)
    ]
    return {"tests": tests, "output": "**Score: 0 / 3**"}


def test_terminal_view_shows_each_paragraph_once_and_says_where():
    text = to_text(_document("A.\n\nB.", "A.\n\nB.", "C.\n\nB.", "D.\n\nD."))
    lines = [line.strip() for line in text.splitlines()]
    assert lines[:4] == ["[FAIL] 1. check 1  (0/1)", "A.", "B.", "[FAIL] 2. check 2  (0/1)"]
    assert lines[4] == "(as under test 1 above)"
    assert lines[5:8] == ["[FAIL] 3. check 3  (0/1)", "C.", "(the rest as under test 1 above)"]
    assert lines[8:10] == ["[FAIL] 4. check 4  (0/1)", "D."] and lines[10] == ""  # repeated in itself: no pointer


def test_terminal_view_keeps_a_code_block_with_blank_lines_whole():
    block = "```\nframe 1\n\nframe 2\n```"
    text = to_text(_document(f"Raised.\n\n{block}", f"Raised.\n\n{block}"))
    assert text.count("frame 2") == 1 and "(as under test 1 above)" in text
