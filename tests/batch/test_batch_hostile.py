"""`python -m grader batch` against a hostile class folder: entries that stall while loading
or trip a grader bug, names that are not UTF-8 or collide, symbolic links out of the class,
student text aimed at the spreadsheet, the report or the terminal; and, as the closing
criterion, every hostile submission of the corpus in one class with two correct ones.

End-to-end runs go through a fresh interpreter, as in test_batch.py; those that inject
a stall or a fault of the grader do it in that interpreter before the batch starts.
"""

from __future__ import annotations

import csv
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SUBMISSIONS, batch_row
from snooping import snoop_findings, snoop_needles
from test_batch import ROOT, batch, csv_rows

CORRECT = SUBMISSIONS / "correct" / "log_softmax_gather.py"
SIGN_FLIPPED = SUBMISSIONS / "mistakes" / "sign_flipped_cross_entropy.py"
FULL = 100.0


def batch_api(
    directory: Path, out: Path, prelude: str = "", timeout: float = 300, **options
) -> subprocess.CompletedProcess:
    """run_batch(directory, out, jobs=2, **options) in a fresh interpreter, after `prelude`."""
    arguments = "".join(f", {key}={value!r}" for key, value in options.items())
    code = (
        f"import sys\n{prelude}\nfrom grader.batch.run import run_batch\n"
        f"sys.exit(run_batch({str(directory)!r}, {str(out)!r}, jobs=2{arguments}))\n"
    )
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def documents(out: Path) -> dict:
    """Entry (as the results label it) -> results document; one per result file, asserted."""
    found = {}
    for path in (out / "results").glob("*.json"):
        document = json.loads(path.read_text(encoding="utf-8"))
        entry = document["extra_data"]["batch"]["entry"]
        assert entry not in found, f"two result files for {entry}"
        found[entry] = document
    return found


def status(document: dict) -> str:
    return document["extra_data"]["status"]


def write_through(path: Path) -> str:
    """A class's every output file, read as text: what a TA (or a student shown it) could see."""
    return "\n".join(
        file.read_text(encoding="utf-8", errors="replace")
        for file in sorted(path.rglob("*"))
        if file.is_file() and file.suffix in (".json", ".csv", ".md", ".html")
    )


# --- 6: a stall in loading costs seconds; a grader error is retried once -------------------------


def injected(module: str, function: str, trigger: str, effect: str) -> str:
    """Prelude for batch_api: module.function(path, ...) first runs `effect` when `trigger` is
    in the path's name (the batch's workers are forked after it, so they inherit it)."""
    return (
        f"import time\nimport {module}\n_original = {module}.{function}\n\n\n"
        f"def _injected(path, *args, **kwargs):\n    if {trigger!r} in path.name:\n        {effect}\n"
        f"    return _original(path, *args, **kwargs)\n\n\n{module}.{function} = _injected\n"
    )


STALL = injected(
    "grader.submission.files", "read_source", "stall", "time.sleep(3600)"
)  # whatever the loader does about pipes
FAULT = injected("grader.verbs.grade", "grade_submission", "bug", 'raise RuntimeError("a bug of the grader")')


@pytest.mark.slow
def test_an_entry_stalled_in_loading_costs_seconds_and_is_not_regraded(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    shutil.copy(CORRECT, directory / "ok.py")
    shutil.copy(CORRECT, directory / "stall.py")
    folder = directory / "pipe_beside"  # a named pipe as a helper module: opening it blocks
    folder.mkdir()
    shutil.copy(CORRECT, folder / "pseudo_loss.py")
    os.mkfifo(folder / "utils.py")
    out = tmp_path / "out"

    started = time.monotonic()
    run = batch_api(directory, out, STALL, entry_wall_s=60.0)  # loading's own budget is 10 s
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    assert seconds < 45, seconds  # not the 60 s last-resort limit
    found = documents(out)
    assert set(found) == {"ok.py", "stall.py", "pipe_beside"}
    assert (status(found["ok.py"]), found["ok.py"]["score"]) == ("graded", FULL)
    stalled = found["stall.py"]
    assert (status(stalled), stalled["score"]) == ("not graded", 0)
    assert "reading the submission did not finish within 10 s" in stalled["output"]
    assert stalled["execution_time"] < 15
    assert status(found["pipe_beside"]) in ("graded", "not graded")  # either way, never a grader error
    rows = {row["entry"]: row for row in csv_rows(out)}
    assert rows["stall.py"]["status"] == "not graded"

    again = batch_api(directory, out, STALL, entry_wall_s=60.0)
    assert again.returncode == 0, again.stderr[-3000:]
    assert "nothing to grade; 3 already graded" in again.stderr


@pytest.mark.slow
def test_a_grader_error_is_retried_once_then_kept(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    shutil.copy(SIGN_FLIPPED, directory / "bug.py")
    shutil.copy(SIGN_FLIPPED, directory / "fine.py")
    out = tmp_path / "out"
    result = out / "results" / "bug.py.json"

    def run(*force) -> str:
        completed = batch_api(directory, out, FAULT, force=bool(force))
        assert completed.returncode == 0, completed.stderr[-3000:]
        return completed.stderr + completed.stdout

    first = run()
    document = json.loads(result.read_text())
    assert status(document) == "grader error" and document["extra_data"]["batch"]["attempts"] == 1
    assert "RuntimeError: a bug of the grader" in document["extra_data"]["grader_fault"]
    assert "1 grader error: the same command again grades it once more" in first
    stamp = result.stat().st_mtime_ns

    second = run()  # the retry
    assert "grading 1 with 1 worker; 1 already graded" in second
    assert result.stat().st_mtime_ns != stamp
    document = json.loads(result.read_text())
    assert status(document) == "grader error" and document["extra_data"]["batch"]["attempts"] == 2
    assert "grades it once more" not in second
    stamp = result.stat().st_mtime_ns

    third = run()  # kept: the rerun costs nothing
    assert (
        "nothing to grade; 2 already graded (same content and grader version, 1 of them a grader error twice" in third
    )
    assert result.stat().st_mtime_ns == stamp
    assert {row["entry"]: row["status"] for row in csv_rows(out)} == {"bug.py": "grader error", "fine.py": "graded"}

    forced = run("force")  # --force starts the count again
    assert "grading 2 with 2 workers" in forced
    assert json.loads(result.read_text())["extra_data"]["batch"]["attempts"] == 1


# --- 7: names that are not UTF-8 --------------------------------------------------------------

LATIN1 = os.fsdecode(b"caf\xe9")  # as Python lists a Latin-1 name from a Windows zip


@pytest.mark.slow
def test_names_that_are_not_utf8_are_graded_and_shown_escaped(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    shutil.copy(CORRECT, directory / f"{LATIN1}.py")
    folder = directory / "alice"
    folder.mkdir()
    shutil.copy(CORRECT, folder / "pseudo_loss.py")
    (folder / f"notes_{LATIN1}.txt").write_text("my notes\n")
    shutil.copy(SIGN_FLIPPED, directory / "plain.py")
    out = tmp_path / "out"

    run = batch(directory, out)
    assert run.returncode == 0, run.stderr[-3000:]
    found = documents(out)
    assert set(found) == {"caf\\xe9.py", "alice", "plain.py"}
    assert len(list((out / "results").glob("*.json"))) == 3
    assert found["caf\\xe9.py"]["score"] == FULL and found["alice"]["score"] == FULL
    assert status(found["plain.py"]) == "graded"
    rows = {row["entry"]: row for row in csv_rows(out)}
    assert set(rows) == {"caf\\xe9.py", "alice", "plain.py"} and rows["caf\\xe9.py"]["total"] == "100"
    assert "`caf\\xe9.py`" in (out / "report.md").read_text(encoding="utf-8")
    assert "caf\\xe9.py" in run.stdout and "caf\\xe9.py" in run.stderr


@pytest.mark.slow
def test_a_notes_file_not_utf8_in_an_export_folder(tmp_path):
    export = tmp_path / "assignment_1_export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(
        "submission_1:\n  :submitters:\n  - :name: Ada\n    :sid: '1815'\n    :email: ada@example.edu\n"
    )
    for number in (1, 2):
        (export / f"submission_{number}").mkdir()
        shutil.copy(CORRECT, export / f"submission_{number}" / "pseudo_loss.py")
    (export / "submission_1" / f"{LATIN1} notes.txt").write_bytes(b"r\xe9sum\xe9\n")
    out = tmp_path / "out"

    run = batch(export, out)
    assert run.returncode == 0, run.stderr[-3000:]
    rows = {row["entry"]: row for row in csv_rows(out)}
    assert sorted(rows) == ["submission_1", "submission_2"]
    assert [rows[name]["total"] for name in sorted(rows)] == ["100", "100"] and rows["submission_1"]["name"] == "Ada"


# --- 8: symbolic links at the top of the class folder --------------------------------------------


@pytest.mark.slow
def test_top_level_links_are_followed_only_inside_the_class(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    shutil.copy(CORRECT, directory / "real.py")
    (directory / "loop.py").symlink_to("loop.py")
    (directory / "dangling.py").symlink_to("nowhere.py")
    (directory / "alias.py").symlink_to("real.py")  # inside the class: followed
    (directory / "reference.py").symlink_to(ROOT / "reference" / "discrete" / "pseudo_loss.py")
    (directory / "reference_folder").symlink_to(ROOT / "reference")
    secret = tmp_path / "shadow"  # stands for /etc/shadow: a file only the (root) batch may read
    secret.write_text("root:TOPSECRET-hash:19000:0:99999:7:::\n")
    secret.chmod(0o600)
    (directory / "shadow.py").symlink_to(secret)
    out = tmp_path / "out"

    run = batch(directory, out)
    assert run.returncode == 0, run.stderr[-3000:]
    found = documents(out)
    assert set(found) == {
        "real.py",
        "loop.py",
        "dangling.py",
        "alias.py",
        "reference.py",
        "reference_folder",
        "shadow.py",
    }
    assert found["real.py"]["score"] == FULL and found["alias.py"]["score"] == FULL
    for name in ("loop.py", "dangling.py"):
        assert (status(found[name]), found[name]["score"]) == ("not graded", 0), name
        assert "symbolic link that leads to no file or folder" in found[name]["output"], name
    for name in ("reference.py", "reference_folder", "shadow.py"):
        assert (status(found[name]), found[name]["score"]) == ("not graded", 0), name
        assert "outside the class folder" in found[name]["output"], name
    assert "TOPSECRET" not in write_through(out) + run.stdout + run.stderr
    assert {row["entry"] for row in csv_rows(out)} == set(found)


def test_discovery_refuses_links_out_without_opening_them(tmp_path):
    from grader.batch.entries import discover, fingerprint

    directory = tmp_path / "class"
    directory.mkdir()
    (directory / "loop.py").symlink_to("loop.py")
    (directory / "out.py").symlink_to(tmp_path / "elsewhere.py")
    (directory / "self").symlink_to(".")  # the class folder itself, as a folder entry
    entries = {entry.name: entry for entry in discover(directory)[0]}
    assert all(entries[name].refused for name in ("loop.py", "out.py", "self"))
    (tmp_path / "elsewhere.py").write_text("A = 1\n")
    before = fingerprint(entries["out.py"].path, b"salt", follow=False)
    (tmp_path / "elsewhere.py").write_text("A = 2\n")  # its target is never read
    assert fingerprint(entries["out.py"].path, b"salt", follow=False) == before


# --- 9: one result file per entry ------------------------------------------------------------


def _old_result_file(name: str) -> str:
    """What the batch used to call a long name's result file."""
    short = name.encode()[:120].decode(errors="ignore")
    return f"{short}-{hashlib.sha256(name.encode()).hexdigest()[:12]}"


@pytest.mark.slow
def test_entries_whose_names_once_shared_a_result_file(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    long = "a" * 230 + ".py"
    twin = _old_result_file(long)  # an entry named like the other's result file
    (directory / long).write_text("")
    (directory / twin).write_text("A = 1\n")
    out = tmp_path / "out"

    run = batch(directory, out)
    assert run.returncode == 0, run.stderr[-3000:]
    found = documents(out)
    assert set(found) == {long, twin} and len(list((out / "results").glob("*.json"))) == 2
    assert "is empty" in found[long]["output"] and "is not a Python file" in found[twin]["output"]
    again = batch(directory, out)
    assert "nothing to grade; 2 already graded" in again.stderr


def test_result_files_are_distinct_even_ignoring_case_and_normalisation():
    from grader.batch.entries import Entry, result_files

    names = [
        "alice.py",
        "Alice.py",
        "caf\u00e9.py",
        "cafe\u0301.py",
        "x" * 230,
        "x" * 229 + "y",
        f"bob-{'0' * 16}",
        "bob",
        LATIN1,
        "caf\\xe9",
        "tab\there",
    ]
    files = result_files([Entry(name, Path(name)) for name in names])
    assert len({name.casefold() for name in files.values()}) == len(names)
    assert files["bob"] == "bob.json"
    assert all(len(name.encode()) <= 255 and "/" not in name for name in files.values())
    assert all(file.isprintable() and file.encode() for file in files.values())


# --- 10, 11, 12: student text in the spreadsheet, the report, the terminal --------------------------


def test_no_separator_can_turn_a_csv_field_into_a_formula():
    from grader.outputs.gradebook import grades_csv

    rows = [
        batch_row(entry="Eve;=2+5;.py", name="Eve;=2+5;", email="eve@x.edu|@SUM(A1)", sid="12\t=1+1"),
        batch_row(entry="ok.py", name='Bob, "=cmd|x"', sid="13; -2+3", email="+1@x.edu"),
    ]
    text = grades_csv(rows)
    lines = text.splitlines()[1:]
    for separator in (",", ";", "\t", "|"):
        for line in lines:
            for cell in line.split(separator):
                assert cell.strip(' "')[:1] not in ("=", "+", "-", "@"), (separator, cell)
    cells = list(csv.reader(lines))
    assert cells[0][:4] == ["Eve;'=2+5;.py", "Eve;'=2+5;", "eve@x.edu|'@SUM(A1)", "12\t'=1+1"]
    assert cells[1][1:4] == ['Bob, "\'=cmd|x"', "'+1@x.edu", "13; '-2+3"]


def _outside_code(markdown: str) -> str:
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", "", markdown)


def test_student_text_in_the_report_is_inert():
    from grader.outputs.report import markdown

    rows = [
        batch_row(entry="www.evil.example", reason="see https://evil.example/x <img src=x> [here](javascript:1)"),
        batch_row(entry="[click](https://evil.example)", status="graded", score=15.0, mistakes=["sign_flipped"]),
        batch_row(entry="https://evil.example/a|b", status="graded", score=15.0, mistakes=["sign_flipped"]),
        batch_row(entry="`www.evil.example`", reason="``https://evil.example``"),
    ]
    report = markdown(rows)
    outside = _outside_code(report)
    for text in ("www.", "http", "<img", "](javascript", "[click]", "evil"):
        assert text not in outside, text
    assert "| `www.evil.example` | `see https://evil.example/x <img src=x> [here](javascript:1)` | none |" in report
    assert "`https://evil.example/a\\|b`" in report  # a | escaped for the table, still in the span
    # each span's delimiter is a run of backticks of a length that does not occur inside (text.code)
    assert "`` `www.evil.example` ``" in report and "` ``https://evil.example`` `" in report


def test_c1_controls_are_written_out_like_c0():
    from grader import text
    from grader.course import rubric
    from grader.outputs import results
    from grader.outputs.table import row_of, summary_table

    hostile = "repaint\x9b2J\x1b]0;title\x07\x85\x90done\udce9"
    assert text.printable(hostile) == "repaint\\x9b2J\\x1b]0;title\\x07\\x85\\x90done\\xe9"
    assert text.printable("caf\u00e9 \u00a0ok\n\t") == "caf\u00e9 \u00a0ok\n\t"  # printable text stays
    titles = rubric.exercise("discrete").parts[0].titles
    document = results.not_graded({"value": 20.0}, titles, f"importing it failed: {hostile}")
    text = results.dumps(document)
    assert not re.search(r"[\x80-\x9f]|\\u00[89]|\\ud", text), text
    raw = {
        "tests": [{"name": "1. x\x9b2J", "score": 0, "max_score": 1, "status": "failed", "output": "\x9b31m"}],
        "output": "top \x9bK",
    }
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f]", results.to_text(raw))
    table = summary_table([row_of(f"{hostile}.py", (), document)])
    assert not re.search("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]", table) and "repaint\\x9b2J" in table


# --- closing criterion ----------------------------------------------------------------------------


@pytest.mark.slow
def test_every_hostile_submission_and_two_correct_ones(tmp_path):
    from grader.sandbox.parent import Limits

    directory = tmp_path / "class"
    directory.mkdir()
    for path in sorted((SUBMISSIONS / "hostile").iterdir()):  # whatever the corpus holds today
        target = directory / f"hostile_{path.name}"
        if path.is_symlink():
            target.symlink_to(os.readlink(path))
        elif path.is_dir():
            shutil.copytree(path, target, symlinks=True)
        else:
            shutil.copy(path, target)
    correct = sorted((SUBMISSIONS / "correct").glob("*.py"))[:2]
    for path in correct:
        shutil.copy(path, directory / path.name)
    entries = sorted(os.listdir(directory))
    out = tmp_path / "out"

    limits = Limits(call_timeout_s=1.0, import_timeout_s=2.0, budget_s=20.0)  # a hang costs seconds
    run = batch_api(directory, out, "from grader.sandbox.parent import Limits", limits=limits, timeout=1200)
    assert run.returncode == 0, run.stderr[-3000:]
    found = documents(out)
    assert len(list((out / "results").glob("*.json"))) == len(entries) == len(found)
    for path in correct:
        assert (status(found[path.name]), found[path.name]["score"]) == ("graded", FULL), path.name
    rows = csv_rows(out)
    assert sorted(row["entry"] for row in rows) == sorted(found) and len(rows) == len(entries)
    assert (out / "report.md").is_file() and f"| entries | {len(entries)} |" in (out / "report.md").read_text()


# --- issue 26: the child's world, through `python -m grader batch --jobs 2` ------------------------

HOSTILE = SUBMISSIONS / "hostile"
ZERO = '"""Twin: a zero loss."""\n\n\ndef pseudo_loss(logits, actions, q_values):\n    return (logits * 0.0).sum()\n'


def _baked(name: str, values: dict) -> str:
    source = (HOSTILE / name).read_text()
    return source.replace("BAKED = {}", f"BAKED = {values!r}")


@pytest.mark.slow
def test_children_graded_side_by_side_learn_nothing_of_each_other_or_of_the_class(tmp_path):
    """A sender spelling every call's shape in files it opens and creates, a watcher graded beside
    it (inotify, dnotify, listings, access times), a snooper looking for the class folder, the
    output folder, a classmate and the hidden cases, and the zero twin, as one class."""
    token = os.urandom(4).hex()
    directory = tmp_path / f"class-{token}"
    directory.mkdir()
    out = tmp_path / f"out-{token}"
    shutil.copy(HOSTILE / "collude_sender.py", directory / f"a-sender-{token}.py")  # a and b are graded together
    (directory / f"b-watcher-{token}.py").write_text(_baked("collude_watcher.py", {"watch_s": 5.0}))
    needles = snoop_needles(directory, f"a-sender-{token}", output=str(out))
    (directory / f"c-snoop-{token}.py").write_text(_baked("grader_snoop.py", needles))
    (directory / f"d-twin-{token}.py").write_text(ZERO)

    run = batch(directory, out)
    assert run.returncode == 0, run.stderr[-3000:]
    found = documents(out)
    sender, watcher, snoop, twin = (
        found[f"{name}-{token}.py"] for name in ("a-sender", "b-watcher", "c-snoop", "d-twin")
    )
    assert "SENDER opened" in sender["output"] and sender["score"] == FULL  # it did spell its shapes
    assert "WATCHER saw nothing" in watcher["output"], watcher["output"]
    assert "WATCHER SAW" not in watcher["output"]
    assert snoop_findings(snoop["output"]) == {"control"}, snoop["output"]
    shown = "\n".join([snoop["output"]] + [test["output"] for test in snoop["tests"]])
    assert str(directory) not in shown and str(out) not in shown and f"a-sender-{token}" not in shown
    assert watcher["score"] == snoop["score"] == twin["score"]
    assert "privateroot" in watcher["extra_data"]["sandbox"]
