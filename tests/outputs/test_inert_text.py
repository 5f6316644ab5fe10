"""Student text is text in every output (issue 27): the writers of grader/text.py and every
builder that puts a submission's, an upload's or an export's strings into Markdown, HTML, a
terminal, CSV or JSON.

Each output is read as the most permissive viewer would: Markdown by markdown-it-py with raw
HTML on (a Gradescope-like viewer that allows it), report.html by html.parser, terminal text
for C0/C1 controls, grades.csv by the csv module. Strings are hypothesis text plus the payloads
a hostile student would plant.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import unicodedata
from html.parser import HTMLParser
from pathlib import Path
from typing import Collection, List

import numpy as np
import pytest
from conftest import batch_row
from hypothesis import example, given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from grader.calling.answer import Answer
from grader.calling.oracle import Failure
from grader.checks.cases import Case, Expected
from grader.checks.part import load_walkthroughs
from grader.checks.trials import Trial, over_cases
from grader.checks.verdicts import CheckResult, interface_problem
from grader.contract import Contract
from grader.course import registry, rubric
from grader.errors import LoadError
from grader.outputs import plots, results
from grader.outputs.feedback import feedback_markdown
from grader.outputs.gradebook import grades_csv
from grader.outputs.report import markdown
from grader.outputs.report_html import SCRIPT, html
from grader.outputs.table import row_of, summary_table
from grader.submission.load import load_submission
from grader.text import Markdown, cap_text, code, escaped, fenced, printable
from grader.verbs.explain import explain

PAYLOADS = [
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[regrade](http://evil.example/regrade)",
    "![x](http://evil.example/x.png)",
    "\n# Score: 100 / 100\n",
    "\n\nScore: 100 / 100\n===\n",
    "`` ` ``` x ` <b>y</b>",
    "x` <img src=x onerror=alert(1)> `",
    "\x1b[2J\x1b[HFAIL → PASS 100/100",
    "\x1b]52;c;ZXZpbA==\x07",
    "\x1b]8;;http://evil.example\x1b\\click\x1b]8;;\x1b\\",
    "\x9b31m red",
    "alice\u202etxt.exe\u2066\u2069\u200b\u200f\ufeff\u2028\u2029\u061c\u180e",
    "*bold* _it_ ~~gone~~ $$x^2$$ | a | b |\n|---|---|",
    "[x]: http://evil.example\n[x]",
    "&lt;script&gt; &#60;b&#62;",
    "1. one\n- two\n> quote\n    code\n\\",
    "<http://evil.example> https://evil.example",
    "pseudo_loss policy_utils __init__",
]
TEXT = st.text(st.characters(codec="utf-8") | st.sampled_from("`<>[]()!*_#-=|~$&\\\n\x1b\u202e"), max_size=60)
ANY = TEXT | st.sampled_from(PAYLOADS)
PARSER = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
INLINE = {"text", "code_inline", "softbreak", "hardbreak"}
# Invisible and direction characters, controls but newline and tab: never raw in any output.
HIDDEN = {"Cc", "Cf", "Zl", "Zp", "Cs"}
EXAMPLES = settings(max_examples=60, deadline=None)


def raw_hidden(text: str) -> List[str]:
    return [hex(ord(c)) for c in text if unicodedata.category(c) in HIDDEN and c not in "\n\t"]


def markup(markdown: str, images: Collection[str] = ()) -> List[str]:
    """What Markdown renders to that is not text or code: any element a student could plant.
    images: the template's own pictures (the report's plots)."""
    found = []
    for token in PARSER.parse(markdown):
        if token.type.startswith("html") or token.type == "link_open":
            found.append(token.type)
        for child in token.children or []:
            if child.type == "image" and child.attrGet("src") in images:
                continue
            if child.type not in INLINE and child.type not in ("strong_open", "strong_close"):
                found.append(f"{child.type} {child.content!r}")
    return found


def shown(markdown: str) -> str:
    """The characters a reader sees, spaces and backticks aside."""
    tokens = PARSER.parse(markdown)
    parts = [c.content for t in tokens for c in t.children or [] if c.type in ("text", "code_inline")]
    parts += [t.content for t in tokens if t.type in ("fence", "code_block")]
    return re.sub(r"[\s`]", "", "".join(parts))


# --- the one function for invisible and control characters -------------------------------------


def test_every_control_invisible_and_direction_character_is_written_out_visibly():
    hidden = "".join(chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) in HIDDEN and chr(c) not in "\n\t")
    out = printable(hidden)
    assert raw_hidden(out) == []
    assert "\\u202e" in printable("a\u202eb") and "\\u2066" in printable("\u2066") and "\\x1b" in printable("\x1b")
    assert printable("\udcff") == "\\xff"  # an undecodable byte of a file name
    assert printable("tab\tand\nnewline é ü 漢字 😀") == "tab\tand\nnewline é ü 漢字 😀"


# --- the Markdown writers ----------------------------------------------------------------------


@EXAMPLES
@given(ANY)
@example("`pseudo_loss` is not a function but a value of type `x` <img src=x onerror=alert(1)> ``")
def test_escaped_text_renders_as_exactly_that_text(text):
    page = f"Intro.\n\n{escaped(text)}\n\nYour loss {escaped(text)} and {escaped(text)}."
    assert markup(page) == []
    assert shown(escaped(text)) == re.sub(r"[\s`]", "", printable(text))


@EXAMPLES
@given(ANY)
def test_code_and_fenced_show_only_code(text):
    page = f"Said {code(text)} then\n\n{fenced(text)}\n\nafter {code(text)}."
    assert markup(page) == []
    tokens = PARSER.parse(page)
    assert [t.type for t in tokens if t.type in ("fence", "code_block")] == ["fence"]
    assert [t.content for t in tokens if t.type == "inline"][-1].startswith("after ")


@EXAMPLES
@given(ANY, st.integers(20, 400))
def test_a_line_cut_short_leaves_no_student_text_outside_its_code_span(text, limit):
    long = "<img src=x onerror=alert(1)> " * 20 + text * (1 + 800 // (len(text) + 1))
    for line in (f"raised {code(long)} there", f"raised {escaped(long)} there"):
        assert markup(cap_text(line, limit)) == []


# --- results.json and the checks ----------------------------------------------------------------


def _answer(error=None, traceback=None, returned=None, dtype=None) -> Answer:
    return Answer(
        error=error, traceback=traceback, memory=False, returned=returned, tensor=dtype is not None,
        shape=() if dtype is not None else None, dtype=dtype, connected=False, backward_error=None, mutated=(),
        largest=None, seconds=0.0, value=None, grads={},
    )  # fmt: skip


def _trial(outcome) -> Trial:
    arrays = (np.zeros((2, 2), np.float32), np.zeros(2, np.int64), np.zeros(2, np.float32))
    expected = Expected(0.0, {"logits": np.zeros((2, 2))}, 1e-6, {"logits": 1e-6})
    return Trial(Case("policy", 1, False, arrays, (("N", 2), ("A", 2))), expected, outcome)


CONTRACT: Contract = rubric.exercise("discrete").parts[0].contract


def _document(text: str) -> dict:
    """A results document with text in every place a submission's text reaches: an exception
    and its frames, a type name, a dtype, a failure's message, printed output, a loader note."""
    _, raised, _ = over_cases([_trial(_answer(error=text, traceback=text))], lambda t, a: None, "ok")
    _, failed, _ = over_cases([_trial(Failure("crashed", text))], lambda t, a: None, "ok")
    typed = interface_problem(_answer(returned=text), CONTRACT) or ""
    dtyped = interface_problem(_answer(dtype=text), CONTRACT) or ""
    checks = [
        CheckResult("interface", "Interface", 10, False, Markdown(f"{raised}\n\n{typed}\n\n{dtyped}")),
        CheckResult("value", "Value", 20, False, Markdown(failed)),
    ]
    summary = Markdown(f"Graded {code(text)}. Your code printed:\n{fenced(text)}\n\nimporting failed: {escaped(text)}")
    return results.build(checks, summary=summary, extra={"graded_file": text})


@EXAMPLES
@given(ANY)
def test_results_json_renders_as_text_and_holds_no_raw_invisible_character(text):
    document = json.loads(results.dumps(_document(text)))
    for output in [document["output"], *(test["output"] for test in document["tests"])]:
        assert markup(output) == []
    assert raw_hidden(json.dumps(document, ensure_ascii=False)) == []
    assert raw_hidden(results.to_text(document)) == []  # the terminal view


@EXAMPLES
@given(ANY)
def test_a_not_graded_document_renders_as_text(text):
    document = results.not_graded({"value": 20.0}, {"value": "Value"}, Markdown(f"importing failed: {escaped(text)}"))
    assert all(markup(t["output"]) == [] for t in document["tests"]) and markup(document["output"]) == []


# --- feedback files, the report, grades.csv, the summary table ----------------------------------


def _people(text: str) -> list:
    return [{"name": text, "email": f"{text}@x.edu", "sid": text, "due": ""}, {"name": "Bo", "email": text}]


@EXAMPLES
@given(ANY, ANY)
def test_feedback_file_names_and_emails_are_text(entry, name):
    page = feedback_markdown(entry, _people(name), _document(name))
    assert markup(page) == [] and raw_hidden(page) == []
    header = [t for t in PARSER.parse(page) if t.type == "heading_open"]
    assert header[0].tag == "h1" and all(t.tag == "h2" for t in header[1:])  # only the template's headings
    assert len(header) == 3


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: List[tuple] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, attrs))


REPORT_TAGS = {"html", "head", "meta", "title", "style", "body", "main", "h1", "h2", "p", "table", "thead", "tbody"}
REPORT_TAGS |= {"tr", "th", "td", "code", "strong", "script"}  # the page's own script, by its hash (below)


@settings(max_examples=25, deadline=None)
@given(st.lists(ANY, min_size=1, max_size=4))
def test_report_md_and_html_render_entry_names_and_reasons_as_text(texts):
    rows = [row_of(text or "x", _people(text), _document(text)) for text in texts]
    rows += [batch_row(entry=text or "y", reason=text) for text in texts]
    report = markdown(rows, {"sign_flipped": "Sign"})
    assert markup(report, plots.FILES.values()) == [] and raw_hidden(report) == []
    parser = _Tags()
    page = html(report, {})
    parser.feed(page)
    assert {tag for tag, _ in parser.tags} <= REPORT_TAGS
    assert page.count("<script") == 1 and f"<script>{SCRIPT}</script>" in page
    assert all(not name.startswith("on") for _, attrs in parser.tags for name, _ in attrs)


@EXAMPLES
@given(st.lists(ANY, min_size=1, max_size=4))
def test_grades_csv_keeps_every_name_and_holds_no_raw_invisible_character(names):
    rows = [row_of(f"e{i}", _people(name), _document(name)) for i, name in enumerate(names)]
    data = grades_csv(rows)
    assert set(raw_hidden(data)) <= {"0xd"}  # the CSV's own line ends
    read = list(csv.DictReader(io.StringIO(data)))
    assert len(read) == 2 * len(names)
    for name, first in zip(names, read[::2]):
        # intact but for the visible escapes and the ' that keeps a spreadsheet from running a formula
        assert first["name"].replace("'", "") == printable(name, lines=False).replace("'", "")
        assert first["sid"].replace("'", "") == printable(name, lines=False).replace("'", "")
    table = summary_table(rows)
    assert raw_hidden(table) == [] and len(table.splitlines()) == len(names) + 4  # one line per entry


# --- the terminal: explain ----------------------------------------------------------------------


(WALKTHROUGH,) = load_walkthroughs(registry.folders("discrete")[0] / "exercise.py")


class _Says:
    def __init__(self, outcome):
        self.outcome = outcome

    def call(self, *arrays, **options):
        return self.outcome


@EXAMPLES
@given(ANY)
def test_explain_prints_no_control_character_of_the_submissions(text):
    assert WALKTHROUGH is not None
    for outcome in (_answer(error=text, traceback=text), Failure("crashed", text)):
        assert raw_hidden(explain(_Says(outcome), WALKTHROUGH, text)) == []


# --- the loader's notes and errors: file and folder names, source lines, notebook cells --------


NAME = st.text(st.characters(codec="utf-8", exclude_characters="/\x00"), min_size=1, max_size=30).filter(
    lambda name: name not in (".", "..") and len(name.encode()) < 200 and not name.startswith(".")
)


@settings(max_examples=20, deadline=None)
@given(NAME | st.sampled_from([p.replace("/", "") for p in PAYLOADS if p.strip()]), ANY)
def test_loader_notes_and_errors_render_as_text(name, line):
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        (folder / f"{name}.py").write_text("def pseudo_loss(logits, actions, q_values):\n    return 0\n")
        (folder / f"{name}2.py").write_text("def pseudo_loss(logits, actions, q_values):\n    return 1\n")
        sources = ["def pseudo_loss(logits, actions, q_values):\n    return 2\n", line, f"!{line}"]
        cells = [
            {"cell_type": "code", "source": c, "metadata": {}, "outputs": [], "execution_count": None} for c in sources
        ]
        notebook = {"cells": cells, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
        (folder / f"{name}.ipynb").write_text(json.dumps(notebook))
        # "Skipped, because not regular files: ...". (Helper modules are read only when the graded
        # code imports them, which no name of this test's could be.)
        os.mkfifo(folder / f"{name}3.py")
        try:
            notes = list(load_submission(folder, "pseudo_loss", "").notes)
            said = " ".join(notes)
            assert "Graded " in said and "Skipped, because" in said
        except LoadError as exc:  # a cell with a syntax error that names pseudo_loss
            notes = [str(exc)]
        (folder / "bad.py").write_text(f"def pseudo_loss(:\n    {line}\n")
        try:
            load_submission(folder / "bad.py", "pseudo_loss", "")
        except LoadError as exc:
            notes.append(str(exc))
        notes.append(str(_notebook_error(folder / f"{name}.ipynb")))
    assert "syntax error" in notes[-2] or ("\x00" in line and "binary file" in notes[-2])  # Python's reading
    for note in notes:
        assert markup(note) == [] and raw_hidden(note) == [], note


def _notebook_error(path: Path) -> str:
    try:
        return " ".join(load_submission(path, "pseudo_loss", "").notes)
    except LoadError as exc:
        return str(exc)


@EXAMPLES
@given(ANY)
def test_progress_lines_print_no_control_character(label):
    from grader.batch.progress import STILL_S, Progress

    stream = io.StringIO()
    progress = Progress(2, stream=stream)
    progress.update(label, _document(label), 0.1)
    progress.last_line -= STILL_S
    progress.tick([(label, STILL_S + 1)])
    assert raw_hidden(stream.getvalue().replace("\n", "")) == [] and stream.getvalue().count("\n") == 2


@pytest.mark.slow  # mypy reads torch's stubs: about 12 s
def test_a_plain_str_reaches_no_builder_of_an_output():
    """The type does the work: text not made by the writers (or declared markup) fails mypy."""
    snippet = (
        "from grader.outputs import results\n"
        "from grader.outputs.report_html import html\n"
        "from grader.text import Markdown, escaped\n"
        "results.build([], summary='from a student')\n"
        "results.not_graded({}, {}, 'from a student')\n"
        "results.test_entry(1, 'name', 0, 1, False, 'from a student')\n"
        "html('from a student', {})\n"
        "results.build([], summary=escaped('from a student'))\n"
        "results.build([], summary=Markdown(f'Graded {escaped(\"x\")}.'))\n"
    )
    options = ["--config-file", "/dev/null", "--ignore-missing-imports", "--follow-imports=silent"]
    run = subprocess.run(
        [sys.executable, "-m", "mypy", *options, "--python-version", "3.10", "-c", snippet],
        capture_output=True,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
    )
    errors = [line.split(":")[1] for line in run.stdout.splitlines() if "error:" in line]
    assert errors == ["4", "5", "6", "7"], run.stdout
