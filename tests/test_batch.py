"""`python -m grader batch`: a mixed class end to end, kill and resume, a Gradescope export;
and, in this process, the worker pool, fingerprints and metadata parsing on their own.

The end-to-end tests run the CLI as a subprocess, as a TA would: the batch forks
its own zygote before loading the reference, which this pytest process (whose
conftest already loaded it) could not do again.
"""

from __future__ import annotations

import csv
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SUBMISSIONS, batch_row
from submissions.corpus import MISTAKES

ROOT = Path(__file__).resolve().parent.parent
STATUSES = {"graded", "not graded", "grader error"}

CORRECT = [
    "log_softmax_gather",
    "cross_entropy_none",
    "categorical_log_prob",
    "float64_inside",
    "one_hot_mask",
    "einsum_weighting",
]
WRONG = [
    "sum_over_actions_expected_q",
    "sign_flipped_cross_entropy",
    "no_log_nll_on_probs",
    "greedy_labels_argmax_probs",
    "unweighted_nll",
    "broadcast_column_q",
    "sum_reduction_cross_entropy",
    "unstable_log_manual_softmax",
    "not_differentiable_item",
    "double_softmax_cross_entropy",
    "mutates_inputs_logits_data",
    "combo_sign_flipped_sum_reduction",
]
HOSTILE_FULL_MARKS = ["flood_stdout", "orphan_daemon"]  # correct losses wrapped in an attack
HOSTILE_ZERO = [
    "sleep_at_import",
    "memory_at_import",
    "fork_bomb_os_fork",
    "kill_everything",
    "recursion_segfault",
    "exit_at_import_os",
]

HELPER = '''"""Helper module of a folder submission."""
import torch.nn.functional as F


def log_probs(logits):
    return F.log_softmax(logits, dim=-1)
'''
FOLDER_MAIN = """from helpers import log_probs


def pseudo_loss(logits, actions, q_values):
    return -(log_probs(logits).gather(1, actions[:, None]).squeeze(1) * q_values).mean()
"""
SIGN_FLIPPED = """import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return -(F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
"""


def batch(directory: Path, out: Path, *options: str, timeout: float = 300) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader", "batch", str(directory), "--out", str(out), "--jobs", "2", *options]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def start_batch(directory: Path, out: Path, log: Path) -> subprocess.Popen:
    command = [sys.executable, "-m", "grader", "batch", str(directory), "--out", str(out), "--jobs", "2"]
    with open(log, "w") as stream:
        return subprocess.Popen(command, cwd=ROOT, stdout=stream, stderr=subprocess.STDOUT)


def results_of(out: Path) -> dict:
    return {path.name[: -len(".json")]: json.loads(path.read_text()) for path in (out / "results").glob("*.json")}


def csv_rows(out: Path) -> list:
    with open(out / "grades.csv", newline="") as stream:
        return list(csv.DictReader(stream))


def processes_mentioning(text: str) -> list:
    """Live processes whose command line contains text (the batch, its workers, zygote and sandboxes)."""
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as stream:
                cmdline = stream.read().replace(b"\0", b" ").decode(errors="replace")
            with open(f"/proc/{pid}/stat") as stream:
                zombie = stream.read().rsplit(")", 1)[1].split()[0] == "Z"
        except OSError:
            continue
        if text in cmdline and not zombie:
            found.append(int(pid))
    return found


def wait_until_gone(text: str, seconds: float = 15.0) -> list:
    deadline = time.monotonic() + seconds
    while processes_mentioning(text) and time.monotonic() < deadline:
        time.sleep(0.2)
    return processes_mentioning(text)


def build_class(root: Path) -> dict:
    """≥ 30 entries of every kind; returns entry name -> kind."""
    root.mkdir()
    kinds = {}
    for name in CORRECT:
        shutil.copy(SUBMISSIONS / "correct" / f"{name}.py", root / f"{name}.py")
        kinds[f"{name}.py"] = "correct"
    for name in WRONG:
        shutil.copy(SUBMISSIONS / "mistakes" / f"{name}.py", root / f"{name}.py")
        kinds[f"{name}.py"] = "wrong"
    for name in HOSTILE_FULL_MARKS:
        shutil.copy(SUBMISSIONS / "hostile" / f"{name}.py", root / f"hostile_{name}.py")
        kinds[f"hostile_{name}.py"] = "correct"
    for name in HOSTILE_ZERO:
        shutil.copy(SUBMISSIONS / "hostile" / f"{name}.py", root / f"hostile_{name}.py")
        kinds[f"hostile_{name}.py"] = "hostile"
    shutil.copy(SUBMISSIONS / "notebooks" / "colab_correct.ipynb", root / "colab_correct.ipynb")
    kinds["colab_correct.ipynb"] = "correct"
    (root / "empty.py").write_text("")
    (root / "binary.py").write_bytes(bytes(range(256)) * 4)
    (root / "syntax_error.py").write_text("def pseudo_loss(logits, actions, q_values)\n    return 0\n")
    (root / "answer.txt").write_text("I think the loss is -mean(log p(a) * q).\n")
    kinds.update({"empty.py": "broken", "binary.py": "broken", "syntax_error.py": "broken", "answer.txt": "broken"})
    folder = root / "folder_correct"
    folder.mkdir()
    (folder / "pseudo_loss.py").write_text(FOLDER_MAIN)
    (folder / "helpers.py").write_text(HELPER)
    (folder / "README.md").write_text("my submission\n")
    (root / "folder_wrong").mkdir()
    (root / "folder_wrong" / "submission.py").write_text(SIGN_FLIPPED)
    (root / "folder_empty").mkdir()
    kinds.update({"folder_correct": "correct", "folder_wrong": "wrong", "folder_empty": "broken"})
    (root / ".DS_Store").write_bytes(b"\0\0\0\1Bud1")  # hidden: not an entry
    return kinds


@pytest.mark.slow
def test_mixed_class_of_thirty_entries(tmp_path):
    kinds = build_class(tmp_path / "class")
    assert len(kinds) >= 30
    out = tmp_path / "out"
    started = time.monotonic()
    run = batch(tmp_path / "class", out)
    seconds = time.monotonic() - started
    assert run.returncode == 0, run.stderr[-3000:]
    print(f"\n{len(kinds)} entries with --jobs 2 in {seconds:.1f} s ({60 * len(kinds) / seconds:.0f} entries/min)")

    # One results file per entry, nothing else; every one valid and labelled.
    documents = results_of(out)
    assert set(documents) == set(kinds)
    assert not list((out / "results").glob(".*"))  # no temp file left behind
    for name, document in documents.items():
        assert document["extra_data"]["status"] in STATUSES, name
        assert document["extra_data"]["status"] != "grader error", (name, document["output"])

    # One CSV row per entry; totals are the results' scores and the sum of the test columns.
    rows = {row["entry"]: row for row in csv_rows(out)}
    assert set(rows) == set(kinds) and len(csv_rows(out)) == len(kinds)
    tests = [test["name"].split(". ", 1)[1] for test in documents["log_softmax_gather.py"]["tests"]]
    header = list(csv_rows(out)[0])
    assert header[:5] == ["entry", "name", "email", "sid", "total"] and header[5:-3] == tests
    assert header[-3:] == ["mistakes", "seconds", "status"]
    possible = sum(test["max_score"] for test in documents["log_softmax_gather.py"]["tests"])
    for name, row in rows.items():
        document = documents[name]
        assert float(row["total"]) == document["score"], name
        assert sum(float(row[test]) for test in tests) == pytest.approx(float(row["total"])), name
        assert row["mistakes"].split() == document["extra_data"]["mistakes"], name
        assert row["status"] == document["extra_data"]["status"]
        kind = kinds[name]
        if kind == "correct":
            assert (float(row["total"]), row["status"], row["mistakes"]) == (possible, "graded", ""), name
        elif kind == "wrong":
            assert row["status"] == "graded" and float(row["total"]) < possible and row["mistakes"], name
        elif kind == "broken":
            assert (row["status"], float(row["total"])) == ("not graded", 0.0), name
        else:
            assert float(row["total"]) <= possible * 0.2, name
    for name in WRONG:
        assert set(rows[f"{name}.py"]["mistakes"].split()) == MISTAKES[f"mistakes/{name}.py"]
    assert rows["hostile_sleep_at_import.py"]["status"] == "not graded"

    # The report: every section, the errored entries named, the plots drawn.
    report = (out / "report.md").read_text()
    for heading in (
        "## Score distribution",
        "## Pass rate per test",
        "## Mistakes, most frequent first",
        "## Slowest submissions",
        "## Entries that errored",
        "## CartPole learning curves",
    ):
        assert heading in report
    for name in ("empty.py", "binary.py", "syntax_error.py", "answer.txt", "folder_empty"):
        assert f"| `{name}` | not graded |" in report
    assert "| 1 | `sign_flipped` |" in report  # three entries make it the most frequent mistake
    assert f"| entries | {len(kinds)} |" in report
    for png in ("scores.png", "mistakes.png", "learning.png", "overview.png"):
        data = (out / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000, png
        assert f"]({png})" in report

    # The terminal: plain progress lines (stderr is not a terminal here), then the summary table.
    assert f"[{len(kinds)}/{len(kinds)}]" in run.stderr
    assert "sign_flipped_cross_entropy.py" in run.stdout and f"{len(kinds)} entries:" in run.stdout
    # The orphan daemon, the fork bomb and every worker are gone.
    assert wait_until_gone(str(out)) == []


@pytest.mark.slow
def test_killed_batch_resumes_without_regrading(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    for name in WRONG[:8] + [f"correct/{name}" for name in CORRECT[:2]]:
        source = SUBMISSIONS / (name if "/" in name else f"mistakes/{name}")
        shutil.copy(source.with_suffix(".py"), directory / Path(name).with_suffix(".py").name)
    for number in (1, 2):  # sorted last, they keep the batch busy for 10 s after the quick ones
        shutil.copy(SUBMISSIONS / "hostile" / "sleep_at_import.py", directory / f"zz_sleep_{number}.py")
    entries = sorted(path.name for path in directory.iterdir())
    out = tmp_path / "out"

    def finished() -> dict:
        return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in (out / "results").glob("*.json")}

    def run_until(at_least: int, stop: signal.Signals, log: Path) -> subprocess.Popen:
        process = start_batch(directory, out, log)
        deadline = time.monotonic() + 120
        while len(finished()) < at_least and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)
        assert process.poll() is None, f"the batch ended before it could be stopped:\n{log.read_text()}"
        process.send_signal(stop)
        process.wait(timeout=30)
        return process

    # 1. SIGKILL: nothing of the batch can react; its workers and sandboxes die with it.
    first = run_until(3, signal.SIGKILL, tmp_path / "first.log")
    assert first.returncode == -signal.SIGKILL
    assert wait_until_gone(str(out)) == []
    after_first = finished()
    assert 3 <= len(after_first) < len(entries)
    assert not (out / "grades.csv").exists()  # only a finished batch writes it

    # 2. SIGINT (Ctrl-C): stops feeding, kills the workers, says how many remain.
    second = run_until(len(after_first) + 2, signal.SIGINT, tmp_path / "second.log")
    log = (tmp_path / "second.log").read_text()
    assert second.returncode == 130, log
    assert f"{len(after_first)} already graded" in log and "remain" in log
    assert wait_until_gone(str(out)) == []
    after_second = finished()
    assert {name: after_second[name] for name in after_first} == after_first  # not rewritten
    assert len(after_second) >= len(after_first) + 2

    # 3. The rerun grades only the rest, and the class is complete.
    third = batch(directory, out)
    assert third.returncode == 0, third.stderr[-3000:]
    assert f"{len(after_second)} already graded" in third.stderr
    assert f"grading {len(entries) - len(after_second)} with" in third.stderr
    after_third = finished()
    assert {name: after_third[name] for name in after_second} == after_second
    assert sorted(after_third) == [f"{name}.json" for name in entries]
    assert [row["entry"] for row in csv_rows(out)] == entries
    assert "zz_sleep_1.py" in (out / "report.md").read_text()


METADATA = """\
submission_2417731:
  :submitters:
  - :name: Ada Lovelace
    :sid: '1815'
    :email: ada@example.edu
  :created_at: 2025-02-03 21:14:09.512301000 -08:00
  :score: 85.0
  :history:
  - :id: 2417001
    :created_at: 2025-02-02 18:01:44.100231000 -08:00
    :score: !ruby/object:BigDecimal 18:0.15e2
submission_2417802:
  :submitters:
  - :name: Alan Turing
    :sid: '1912'
    :email: alan@example.edu
  - :name: Grace Hopper
    :sid: '1906'
    :email: grace@example.edu
  :created_at: 2025-02-04 09:30:00.000000000 -08:00
  :score: 15.0
  :history: []
submission_2417900:
  :submitters:
  - :name: Edsger Dijkstra
    :sid: '1930'
    :email: edsger@example.edu
  :created_at: 2025-02-04 23:59:59.000000000 -08:00
  :score: 0.0
  :history: []
"""


@pytest.mark.slow
def test_gradescope_export_is_graded_with_names(tmp_path):
    export = tmp_path / "assignment_412345_export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(METADATA)
    ada = export / "submission_2417731"
    ada.mkdir()
    shutil.copy(SUBMISSIONS / "correct" / "log_softmax_gather.py", ada / "pseudo_loss.py")
    pair = export / "submission_2417802"
    (pair / "src").mkdir(parents=True)
    (pair / "src" / "pseudo_loss.py").write_text(SIGN_FLIPPED)
    edsger = export / "submission_2417900"
    edsger.mkdir()
    (edsger / "pseudo_loss.py").write_text("def pseudo_loss(logits, actions, q_values):\n    return (\n")
    stray = export / "submission_2418000"  # a folder the metadata does not know: graded, no name
    stray.mkdir()
    shutil.copy(SUBMISSIONS / "mistakes" / "no_log_nll_on_probs.py", stray / "submission.py")
    out = tmp_path / "out"

    run = batch(export, out)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "Gradescope export" in run.stderr
    rows = {row["entry"]: row for row in csv_rows(out)}
    assert sorted(rows) == ["submission_2417731", "submission_2417802", "submission_2417900", "submission_2418000"]
    assert (rows["submission_2417731"]["name"], rows["submission_2417731"]["email"]) == (
        "Ada Lovelace",
        "ada@example.edu",
    )
    assert rows["submission_2417731"]["sid"] == "1815" and rows["submission_2417731"]["status"] == "graded"
    assert rows["submission_2417802"]["name"] == "Alan Turing; Grace Hopper"
    assert rows["submission_2417802"]["email"] == "alan@example.edu; grace@example.edu"
    assert rows["submission_2417802"]["mistakes"] == "sign_flipped"
    assert (rows["submission_2417900"]["name"], rows["submission_2417900"]["status"]) == (
        "Edsger Dijkstra",
        "not graded",
    )
    assert (rows["submission_2418000"]["name"], rows["submission_2418000"]["mistakes"]) == ("", "no_log")
    assert sorted(path.name for path in (out / "results").glob("*.json")) == [f"{name}.json" for name in sorted(rows)]

    # --force regrades what a plain rerun would skip.
    before = {path.name: path.stat().st_ino for path in (out / "results").glob("*.json")}
    again = batch(export, out, "--force")
    assert again.returncode == 0 and "grading 4 with" in again.stderr
    after = {path.name: path.stat().st_ino for path in (out / "results").glob("*.json")}
    assert set(after) == set(before) and all(after[name] != before[name] for name in before)


# --- in this process: the pool, fingerprints, discovery ----------------------------------------


def _child_pids() -> set:
    pids = set()
    for task in os.listdir("/proc/self/task"):
        with open(f"/proc/self/task/{task}/children") as stream:
            pids.update(int(pid) for pid in stream.read().split())
    return pids


def _fake_work(job: str) -> dict:
    """Runs in a forked worker: each job name is a way for a worker to end badly."""
    if job.startswith("die"):
        os.kill(os.getpid(), signal.SIGKILL)
    if job == "exit":
        os._exit(3)
    if job == "hang":
        time.sleep(600)
    if job == "raise":
        raise RuntimeError("a bug of ours")
    if job == "big":
        return {"score": 1.0, "output": "x" * 3_000_000, "tests": []}
    return {"score": 1.0, "output": job, "tests": []}


def test_pool_survives_workers_that_die_hang_or_fail():
    from grader.batch.pool import run_pool

    jobs = ["ok1", "die1", "hang", "ok2", "exit", "raise", "big", "die2", "ok3"]
    done = []
    before = _child_pids()
    started = time.monotonic()
    run_pool(jobs, _fake_work, workers=2, wall_s=2.0, done=lambda job, document, seconds: done.append((job, document)))
    assert time.monotonic() - started < 20
    assert sorted(job for job, _ in done) == sorted(jobs)  # exactly once each
    by_job = dict(done)
    for job in ("ok1", "ok2", "ok3"):
        assert by_job[job]["output"] == job
    assert len(by_job["big"]["output"]) == 3_000_000
    for job, words in (
        ("die1", "killed by SIGKILL"),
        ("die2", "killed by SIGKILL"),
        ("exit", "exit status 3"),
        ("hang", "last-resort limit of 2 s"),
        ("raise", "RuntimeError: a bug of ours"),
    ):
        document = by_job[job]
        assert document["score"] == 0 and document["tests"][0]["name"] == "Autograder error", job
        assert words in document["extra_data"]["grader_fault"], (job, document["extra_data"])
    assert _child_pids() <= before  # every worker reaped


def test_pool_kills_its_workers_when_interrupted():
    from grader.batch.pool import run_pool

    before = _child_pids()

    def done(job, document, seconds):
        raise KeyboardInterrupt  # as Ctrl-C would, while other workers are busy

    with pytest.raises(KeyboardInterrupt):
        run_pool(["ok", "hang", "hang"], _fake_work, workers=3, wall_s=60, done=done)
    assert _child_pids() <= before


def test_fingerprint_follows_content_not_time(tmp_path):
    from grader.batch.entries import fingerprint

    folder = tmp_path / "alice"
    folder.mkdir()
    (folder / "pseudo_loss.py").write_text("A = 1\n")
    (folder / "utils.py").write_text("B = 2\n")
    first = fingerprint(folder, b"salt")
    os.utime(folder / "utils.py", (1, 1))
    assert fingerprint(folder, b"salt") == first
    assert fingerprint(folder, b"other grader") != first
    (folder / "utils.py").write_text("B = 3\n")
    assert fingerprint(folder, b"salt") != first
    (folder / "utils.py").write_text("B = 2\n")
    assert fingerprint(folder, b"salt") == first
    (folder / "new.py").write_text("")
    assert fingerprint(folder, b"salt") != first


def test_reused_results_must_match_and_grader_errors_get_one_retry(tmp_path):
    from grader.batch.run import _previous
    from grader.outputs import results

    path = tmp_path / "alice.py.json"
    document = results.grader_fault("boom")
    document["extra_data"]["batch"] = {"fingerprint": "abc"}  # written before attempts were counted
    path.write_text(json.dumps(document))
    assert _previous(path, "abc") == (None, 1)
    document["extra_data"]["batch"]["attempts"] = 2  # the retry failed too: kept
    path.write_text(json.dumps(document))
    assert _previous(path, "abc") == (document, 2) and _previous(path, "abd") == (None, 0)
    document["extra_data"]["status"] = "graded"
    path.write_text(json.dumps(document))
    assert _previous(path, "abc") == (document, 0) and _previous(path, "abd") == (None, 0)
    path.write_text('{"score": 1')  # cut short by hand: regraded
    assert _previous(path, "abc") == (None, 0)


def test_discovery_of_folders_files_and_exports(tmp_path):
    from grader.batch.entries import discover, read_metadata

    plain = tmp_path / "plain"
    (plain / "bob").mkdir(parents=True)
    (plain / "alice.py").write_text("")
    (plain / ".hidden.py").write_text("")
    (plain / "__MACOSX").mkdir()
    (plain / "out").mkdir()
    entries, _ = discover(plain, exclude=plain / "out")
    assert [entry.name for entry in entries] == ["alice.py", "bob"]

    unzipped = tmp_path / "download"  # the folder the export zip was unzipped into
    export = unzipped / "assignment_1_export"
    (export / "submission_2417731").mkdir(parents=True)
    (export / "submission_2417802").mkdir()
    (export / "submission_metadata.yml").write_text(METADATA)
    entries, origin = discover(unzipped)
    assert origin.startswith("Gradescope export") and [entry.name for entry in entries] == [
        "submission_2417731",
        "submission_2417802",
    ]
    assert entries[0].people == ({"name": "Ada Lovelace", "email": "ada@example.edu", "sid": "1815"},)
    assert [person["name"] for person in entries[1].people] == ["Alan Turing", "Grace Hopper"]

    plain_keys = tmp_path / "plain_keys.yml"  # the same without Ruby symbols
    plain_keys.write_text("submission_1:\n  submitters:\n  - name: Ada\n    email: ada@example.edu\n")
    assert read_metadata(plain_keys) == {"submission_1": ({"name": "Ada", "email": "ada@example.edu", "sid": ""},)}
    broken = tmp_path / "broken.yml"
    broken.write_text("submission_1: [unclosed\n")
    assert read_metadata(broken) == {}


def test_student_text_cannot_drive_the_terminal_or_the_spreadsheet():
    from grader.outputs.table import grades_csv, summary_table

    row = batch_row(
        entry='=HYPERLINK("http://x")', name="@SUM(A1)", reason="importing it failed: \x1b[2J\x1b[31mgotcha\r"
    )
    table = summary_table([row])
    assert "\x1b" not in table and "\r" not in table and "\\x1b[2J" in table
    cells = next(csv.reader(grades_csv([row]).splitlines()[1:]))
    assert cells[:2] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]
