"""Student text stays text in every output (issue 27), end to end through the CLI.

One Gradescope export holds a submission for each place student text reaches an output:
an import error (tests/submissions/discrete/hostile/markup_import_error.py), an exception raised in
the function and printed output (markup_raises.py), a syntax error's quoted line
(markup_syntax_error.py), the type name of a non-callable (markup_not_callable.py), file
and folder names the loader's notes quote (built here: a named pipe cannot be committed),
a notebook's dropped cells (markup_notebook.ipynb), submitter names and emails in the
metadata and entry folder names; plus one clean entry, whose feedback gives the grader's
own links. The payloads are markup_payloads.py's. The batch runs once; then `grade --json`,
`check` and `explain` on some entries. Every Markdown output is parsed with raw HTML on
(inert_text.py, beside this file), report.html as HTML, the terminal and grades.csv as text.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Set, Tuple
from urllib.parse import quote

import pytest
from checks.test_truthful import MINUS_ZERO
from conftest import SUBMISSIONS
from inert_text import html_problems, markdown_problems, not_shown, raw_characters, urls, visible
from rendered import problems
from submissions.discrete.hostile.markup_payloads import PAYLOADS

from grader.outputs.plots import FILES

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = SUBMISSIONS / "hostile"
EMPHASIZED = {word for text in PAYLOADS for word in re.findall(r"[*_](\w+)[*_]", text)}
HEADINGS = {text[2:] for text in PAYLOADS if text.startswith("# ")}
RAISES, NOT_CALLABLE = "submission_2\u202egnp.exe", "submission_4 ``<img src=x onerror=alert(1)>`"
FILE_NAMES = [text.replace("/", "_") for text in PAYLOADS]  # what a file name can hold of each
CLEAN = ("Ada Lovelace", "ada@example.edu")
Person = Tuple[str, str]


def _entry(export: Path, name: str, *files: Tuple[str, str]) -> Path:
    """An entry folder holding hostile submissions under new names."""
    folder = export / name
    folder.mkdir()
    for source, target in files:
        shutil.copy(HOSTILE / source, folder / target)
    return folder


def _upload_with_names(folder: Path) -> None:
    """A folder upload whose graded file's folder and seven named pipes are named with the payloads
    (FILE_NAMES). Pipes, not helper modules: the loader reads only the modules the graded file
    imports, and an import names an identifier, but it lists every .py that is not a regular file."""
    inner = folder / " ".join(FILE_NAMES[:4])
    inner.mkdir(parents=True)
    (inner / "pseudo_loss.py").write_text("def pseudo_loss(logits, actions, q_values):\n    return logits.sum() * 0\n")
    os.mkfifo(inner / f"{' '.join(FILE_NAMES[4:7])}.py")
    for first, second in zip(FILE_NAMES[7::2], FILE_NAMES[8::2] + [""]):
        os.mkfifo(inner / f"{first} {second}.py")


def _in(path: Path) -> List[str]:
    """The payloads a submission file holds (a notebook: in its cells)."""
    text = path.read_text()
    if path.suffix == ".ipynb":
        text = "\n".join("".join(cell["source"]) for cell in json.loads(text)["cells"])
    return [payload for payload in PAYLOADS if payload in text]


def _metadata(people: Dict[str, List[Person]]) -> str:
    """submission_metadata.yml as Gradescope's Ruby writes it; every text double-quoted with
    escapes, which YAML reads as JSON writes them."""
    lines = []
    for entry, submitters in people.items():
        lines += [f"{json.dumps(entry)}:", "  :submitters:"]
        for sid, (name, email) in enumerate(submitters):
            lines += [f"  - :name: {json.dumps(name)}", f"    :email: {json.dumps(email)}", f"    :sid: '{sid}'"]
    return "\n".join(lines) + "\n"


def build_export(export: Path) -> Dict[str, Tuple[List[str], List[Person]]]:
    """The export; for each entry, the texts planted in its results, and its submitters."""
    helper = ("markup_payloads.py", "markup_payloads.py")
    _entry(export, "submission_1", ("markup_import_error.py", "pseudo_loss.py"), helper)
    _entry(export, RAISES, ("markup_raises.py", "pseudo_loss.py"), helper)
    _entry(export, "submission_3", ("markup_syntax_error.py", "pseudo_loss.py"))
    _entry(export, NOT_CALLABLE, ("markup_not_callable.py", "pseudo_loss.py"), helper)
    _upload_with_names(_entry(export, "submission_5"))
    _entry(export, "submission_6", ("markup_notebook.ipynb", "pseudo_loss.ipynb"))
    shutil.copy(SUBMISSIONS / "correct" / "log_softmax_gather.py", _entry(export, "submission_7") / "pseudo_loss.py")
    planted = {
        "submission_1": list(PAYLOADS),
        RAISES: list(PAYLOADS),
        "submission_3": _in(HOSTILE / "markup_syntax_error.py"),
        NOT_CALLABLE: list(PAYLOADS),
        "submission_5": FILE_NAMES,
        "submission_6": _in(HOSTILE / "markup_notebook.ipynb"),
    }
    people: Dict[str, List[Person]] = {entry: [] for entry in planted}
    for i, text in enumerate(PAYLOADS):  # three or four students to a hostile entry
        people[list(planted)[i % len(planted)]].append((f"Student {i} {text}", f"s{i}.{text}@example.edu"))
    planted["submission_7"], people["submission_7"] = [], [CLEAN]
    (export / "submission_metadata.yml").write_text(_metadata(people))
    return {entry: (planted[entry], people[entry]) for entry in planted}


def cli(*args: object) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader", *map(str, args)]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    """The export, graded once; then the other verbs on three of its entries."""
    export = tmp_path_factory.mktemp("inert") / "assignment_27_export"
    export.mkdir()
    entries = build_export(export)
    out = export.parent / "out"
    runs = {"batch": cli("batch", export, "--out", out, "--jobs", "2")}
    assert runs["batch"].returncode == 0, runs["batch"].stderr[-3000:]
    runs["grade --json"] = cli("grade", export / "submission_1", "--json")
    runs["check"] = cli("check", export / "submission_5")
    runs["explain"] = cli("explain", export / RAISES)
    return out, entries, runs


def by_entry(folder: Path, suffix: str) -> Dict[str, Path]:
    """Output files by the first 12 characters of their entry's name ("submission_N", each entry's own)."""
    return {path.name[:12]: path for path in folder.glob(f"submission_*{suffix}")}


def markdown_of(document: dict) -> List[str]:
    return [document.get("output", "")] + [test.get("output", "") for test in document.get("tests", [])]


def check_markdown(where: str, texts: List[str], urls: set, planted: List[str]) -> List[str]:
    found = [p for text in texts for p in markdown_problems(text, urls, EMPHASIZED, HEADINGS)]
    found += [p for text in texts for p in problems(text) + raw_characters(text)]
    found += [f"{m!r} formatted as a number" for text in texts for m in MINUS_ZERO.findall(text)]
    return [f"{where}: {problem}" for problem in found + not_shown(texts, planted)]


def failing(found: List[str], each: int = 8) -> str:
    """The problems, the first few of each output."""
    by_where: Dict[str, List[str]] = {}
    for problem in dict.fromkeys(found):
        where, what = problem.split(": ", 1)
        by_where.setdefault(where, []).append(what)
    lines = [f"{len(found)} problems in {len(by_where)} outputs:"]
    for where, whats in by_where.items():
        more = [f"    … {len(whats) - each} more"] if len(whats) > each else []
        lines += [f"{where}:", *(f"    {what}" for what in whats[:each]), *more]
    return "\n".join(lines)


def test_every_result_renders_as_text_and_shows_each_payload(graded):
    out, entries, runs = graded
    documents = {name: json.loads(path.read_text()) for name, path in by_entry(out / "results", ".json").items()}
    documents["grade --json submission_1"] = json.loads(runs["grade --json"].stdout)
    planted = {entry[:12]: texts for entry, (texts, _) in entries.items()}
    planted["grade --json submission_1"] = list(PAYLOADS)
    assert len(documents) == len(entries) + 1
    found = []
    for name, document in documents.items():
        found += check_markdown(f"results {name!r}", markdown_of(document), set(), planted.get(name, []))
        found += [f"results {name!r}: {p}" for p in raw_characters(json.dumps(document, ensure_ascii=False), False)]
    assert not found, failing(found)


def test_every_feedback_file_renders_as_text_and_names_its_submitters(graded):
    out, entries, _ = graded
    files = by_entry(out / "feedback", ".md")
    assert len(files) == len(entries)
    own = urls(files["submission_7"].read_text())  # the grader's own links: those of the clean entry's file
    found = []
    for entry, (planted, people) in entries.items():
        names = [entry] + [text for person in people for text in person]
        path = files[entry[:12]]
        found += check_markdown(f"feedback/{path.name!r}", [path.read_text()], own, planted + names)
    assert "**Score: 100 / 100**" in files["submission_7"].read_text()
    assert not found, failing(found)


def test_report_md_renders_as_text_and_names_every_entry(graded):
    out, entries, _ = graded
    hostile = [entry for entry in entries if entry != "submission_7"]
    own = set(FILES.values()) | feedback_links(out)
    found = check_markdown("report.md", [(out / "report.md").read_text()], own, hostile)
    assert not found, failing(found)


def feedback_links(out: Path) -> Set[str]:
    """The report's links to the feedback files the batch wrote, whatever the entries are called."""
    return {f"feedback/{quote(path.name)}" for path in (out / "feedback").glob("*.md")}


def test_report_html_holds_no_element_from_a_payload(graded):
    page = (graded[0] / "report.html").read_text()
    found = [f"report.html: {p}" for p in html_problems(page, feedback_links(graded[0])) + raw_characters(page)]
    assert not found, failing(found)


def test_grades_csv_keeps_every_name_and_email_visibly(graded):
    out, entries, _ = graded
    text = (out / "grades.csv").read_text(encoding="utf-8-sig")
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as stream:
        rows = {(row["name"].lower(), row["email"].lower()) for row in csv.DictReader(stream)}
    people = [person for _, submitters in entries.values() for person in submitters]
    found = [
        f"grades.csv: no row for {person!r}"
        for person in people
        if tuple(map(str.lower, map(visible, person))) not in rows
    ]
    found += [f"grades.csv: {p}" for p in raw_characters(text)]
    assert len(rows) == len(people) and not found, failing(found)


def test_terminal_output_holds_no_control_or_invisible_character(graded):
    found = []
    for verb, run in graded[2].items():
        assert run.returncode == 0, (verb, run.stderr[-3000:])
        found += [
            f"{verb} {stream}: {p}" for stream in ("stdout", "stderr") for p in raw_characters(getattr(run, stream))
        ]
    assert not found, failing(found)


@pytest.mark.parametrize("verb, texts", [("explain", PAYLOADS), ("check", FILE_NAMES)])
def test_the_terminal_writes_out_each_control_and_invisible_character(graded, verb, texts):
    shown = graded[2][verb].stdout.lower()
    planted = [text for text in texts if visible(text) != text]
    missing = [
        f"{verb} stdout: {text!r} not shown as {visible(text)!r}"
        for text in planted
        if visible(text).lower() not in shown
    ]
    assert len(planted) > 5 and not missing, failing(missing)
