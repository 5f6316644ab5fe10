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
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import SUBMISSIONS, batch_row
from submissions.discrete.corpus import MISTAKES

ROOT = Path(__file__).resolve().parents[2]
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
    """grades.csv as a spreadsheet reads it: UTF-8 after the BOM it starts with."""
    assert (out / "grades.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    with open(out / "grades.csv", newline="", encoding="utf-8-sig") as stream:
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
    assert header[:5] == ["entry", "name", "email", "sid", "total"] and header[5 : 5 + len(tests)] == tests
    assert header[5 + len(tests) :] == [
        "status",
        "reason",
        "mistakes",
        "submitted",
        "due",
        "late",
        "hours_late",
        "seconds",
        "late_penalty",
        "adjustment",
        "comment",
        "final",
    ]
    possible = sum(test["max_score"] for test in documents["log_softmax_gather.py"]["tests"])
    for name, row in rows.items():
        document = documents[name]
        assert float(row["total"]) == document["score"], name
        assert sum(float(row[test]) for test in tests) == pytest.approx(float(row["total"])), name
        assert row["mistakes"].split() == document["extra_data"]["mistakes"], name
        assert row["status"] == document["extra_data"]["status"]
        assert bool(row["reason"]) == (float(row["total"]) < possible), name  # a reason for every lost point
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
        assert rows[f"{name}.py"]["reason"].split(" (")[0] in MISTAKES[f"mistakes/{name}.py"], name
    assert rows["hostile_sleep_at_import.py"]["status"] == "not graded"
    assert rows["syntax_error.py"]["reason"].startswith("syntax error in `syntax_error.py` line 1")

    # The report: every section, the errored entries named, the plots drawn.
    report = (out / "report.md").read_text()
    headings = re.findall(r"^## (.+)$", report, flags=re.MULTILINE)
    assert headings[:3] == ["Needs a human", "Students", "Summary"], headings  # what to act on, first
    for heading in (
        "Score distribution",
        "Pass rate per test",
        "Mistakes, most frequent first",
        "Slowest submissions",
        "CartPole-v1 learning curves",  # the env the trainer names
    ):
        assert heading in headings
    human = report.split("## Students")[0]
    for name in ("empty.py", "binary.py", "syntax_error.py", "answer.txt", "folder_empty"):
        assert f"| [`{name}`](feedback/{name}.md) | " in human  # not graded, with its feedback linked
    empty = next(line for line in human.splitlines() if line.startswith("| [`folder_empty`]"))
    assert empty.endswith("| none |")  # no file found in it
    assert "| [`answer.txt`](feedback/answer.txt.md) | " in human and "| `answer.txt` |" in human  # its one file
    assert "`README.md`" not in human  # a graded folder's files are not listed
    assert "**Scored 0: the code crashed, hung or ran out of memory" in human
    assert "| 1 | `sign_flipped` |" in report  # three entries make it the most frequent mistake
    assert f"| entries | {len(kinds)} |" in report
    for png in ("scores.png", "mistakes.png", "learning.png"):
        data = (out / png).read_bytes()
        assert data.startswith(b"\x89PNG") and len(data) > 5000, png
        assert report.count(f"]({png})") == 1, png  # each plot once, in its section
    assert not (out / "overview.png").exists()

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


# As Gradescope's Ruby writes it: symbol keys, a Ruby-tagged score, a name Ruby held as bytes
# written !binary ("Gráce Hopper" in base64), an SID with a leading zero left unquoted (YAML
# would read 01234 as the octal number 668), due dates in two of the places they may be given.
METADATA = """\
submission_2417731:
  :submitters:
  - :name: Ada Lovelace
    :sid: '01815'
    :email: ada@example.edu
  :created_at: 2025-02-03 21:14:09.512301000 -08:00
  :assignment:
    :due_date: 2025-02-04 23:59:00.000000000 -08:00
  :score: 85.0
  :history:
  - :id: 2417001
    :created_at: 2025-02-02 18:01:44.100231000 -08:00
    :score: !ruby/object:BigDecimal 18:0.15e2
submission_2417802:
  :submitters:
  - :name: Alan Turing
    :sid: 01234
    :email: alan@example.edu
  - :name: !binary |-
      R3LDoWNlIEhvcHBlcg==
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
  :due_date: 2025-02-04 22:29:59 -08:00
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
    every = csv_rows(out)  # one row per student: the pair's submission gives two
    assert [row["entry"] for row in every] == [
        "submission_2417731",
        "submission_2417802",
        "submission_2417802",
        "submission_2417900",
        "submission_2418000",
    ]
    rows = {row["email"] or row["entry"]: row for row in every}
    ada, alan, grace = rows["ada@example.edu"], rows["alan@example.edu"], rows["grace@example.edu"]
    edsger, stray = rows["edsger@example.edu"], rows["submission_2418000"]
    assert (ada["name"], ada["sid"], ada["status"], ada["total"], ada["reason"]) == (
        "Ada Lovelace",
        "01815",
        "graded",
        "100",
        "",
    )
    assert (alan["name"], alan["sid"], grace["name"], grace["sid"]) == ("Alan Turing", "01234", "Gráce Hopper", "1906")
    for member in (alan, grace):
        assert (member["mistakes"], member["total"]) == ("sign_flipped", "15")
        assert member["reason"].startswith("sign_flipped (The sign is flipped")
    assert (edsger["name"], edsger["status"], edsger["total"]) == ("Edsger Dijkstra", "not graded", "0")
    assert edsger["reason"].startswith("syntax error in `pseudo_loss.py`")
    assert (stray["name"], stray["mistakes"], stray["submitted"], stray["late"]) == ("", "no_log", "", "")
    # Upload times from :created_at:, lateness where a due date is known.
    assert (ada["submitted"], ada["due"], ada["late"], ada["hours_late"]) == (
        "2025-02-03T21:14:09-08:00",
        "2025-02-04T23:59:00-08:00",
        "no",
        "0",
    )
    assert (alan["submitted"], alan["due"], alan["late"], alan["hours_late"]) == (
        "2025-02-04T09:30:00-08:00",
        "",
        "",
        "",
    )
    assert (edsger["late"], edsger["hours_late"]) == ("yes", "1.5")
    raw = (out / "grades.csv").read_text(encoding="utf-8-sig")
    assert '"01815"' in raw and '"01234"' in raw and ",100," in raw  # text quoted, numbers not
    assert sorted(path.name for path in (out / "results").glob("*.json")) == [
        f"{name}.json" for name in sorted({row["entry"] for row in every})
    ]
    feedback = (out / "feedback" / "submission_2417802.md").read_text()
    # Markdown that shows "Alan Turing <alan@example.edu>; ...": a < from an export is escaped
    assert "Alan Turing \\<alan@example.edu\\>; Gráce Hopper \\<grace@example.edu\\>" in feedback
    assert "**Score: 15 / 100**" in feedback

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
    ticks: list = []
    run_pool(
        jobs,
        _fake_work,
        workers=2,
        wall_s=2.0,
        done=lambda job, document, seconds: done.append((job, document)),
        tick=ticks.append,
    )
    assert time.monotonic() - started < 20
    assert any(job == "hang" and 1.0 < seconds <= 3.0 for running in ticks for job, seconds in running)
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


def test_pool_runs_meanwhile_beside_its_workers_and_forks_no_replacement_during_it():
    from grader.batch.pool import run_pool

    spans: list = []  # meanwhile's (start, end)
    done: list = []  # (job, when its result came)

    def meanwhile():
        start = time.monotonic()
        time.sleep(1.0)  # a module import in a thread, as the batch's preload of matplotlib
        spans.append((start, time.monotonic()))

    started = time.monotonic()
    run_pool(
        ["die1", "ok1"],
        _fake_work,
        workers=1,
        wall_s=60,
        done=lambda job, document, seconds: done.append((job, time.monotonic())),
        meanwhile=meanwhile,
    )
    (start, end), when = spans[0], dict(done)
    assert len(spans) == 1 and start - started < 0.5  # ran once, from the start
    assert when["die1"] < end  # the first worker died while meanwhile ran
    assert when["ok1"] >= end  # its replacement was forked only once meanwhile had ended
    spans.clear()
    run_pool(["ok1"], _fake_work, workers=1, wall_s=60, done=lambda *_: None, meanwhile=meanwhile)
    assert spans  # the grading was over long before meanwhile, and run_pool returned after it


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
    from grader.batch.plan import previous as _previous
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
    from grader.batch.entries import discover

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
        "submission_2417900",  # listed in the metadata with no folder: an entry, refused, with its student
    ]
    absent = entries[2]
    assert absent.people[0]["name"] == "Edsger Dijkstra" and "has no such folder" in absent.refused
    assert (entries[0].recorded, entries[1].recorded, absent.recorded) == (85.0, 15.0, 0.0)
    assert entries[0].shown == "submission_2417731 (Ada Lovelace, 01815)"
    assert entries[0].people == (
        {"name": "Ada Lovelace", "email": "ada@example.edu", "sid": "01815", "due": "2025-02-04T23:59:00-08:00"},
    )
    assert entries[0].submitted == "2025-02-03T21:14:09-08:00"
    assert [person["name"] for person in entries[1].people] == ["Alan Turing", "Gráce Hopper"]


def test_an_export_beside_its_zip_is_found_and_two_exports_are_refused(tmp_path):
    """Unzipped in a downloads folder beside its zip, an export is still graded student by student
    (it was graded as one entry, with full marks); two exports in one folder are not guessed."""
    from grader.batch.entries import discover
    from grader.errors import GraderError

    downloads = tmp_path / "Downloads"
    export = downloads / "assignment_1_export"
    (export / "submission_2417731").mkdir(parents=True)
    (export / "submission_2417802").mkdir()
    (export / "submission_metadata.yml").write_text(METADATA)
    (downloads / "assignment_1_export.zip").write_bytes(b"PK\x05\x06" + bytes(18))
    entries, origin = discover(downloads)
    assert [entry.name for entry in entries] == ["submission_2417731", "submission_2417802", "submission_2417900"]
    assert origin == f"Gradescope export {export} (found in {downloads}; left out beside it: assignment_1_export.zip)"
    assert entries[0].people[0]["name"] == "Ada Lovelace"

    second = downloads / "assignment_2_export"
    second.mkdir()
    (second / "submission_metadata.yml").write_text(METADATA)
    with pytest.raises(GraderError, match="holds 2 Gradescope exports .assignment_1_export, assignment_2_export."):
        discover(downloads)


def test_a_folder_of_two_exports_is_a_usage_error_naming_both(tmp_path):
    for name in ("assignment_1_export", "assignment_2_export"):
        (tmp_path / "Downloads" / name).mkdir(parents=True)
        (tmp_path / "Downloads" / name / "submission_metadata.yml").write_text(METADATA)
    run = batch(tmp_path / "Downloads", tmp_path / "out")
    assert run.returncode == 2 and "holds 2 Gradescope exports" in run.stderr, run.stderr[-2000:]
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_metadata_is_read_as_text_with_names_decoded_and_times_in_iso(tmp_path):
    from grader.batch.metadata import Submission, iso_time, number, read_metadata

    plain_keys = tmp_path / "plain_keys.yml"  # without Ruby symbols
    plain_keys.write_text("submission_1:\n  submitters:\n  - name: Ada\n    email: ada@example.edu\n")
    assert read_metadata(plain_keys) == {
        "submission_1": Submission(({"name": "Ada", "email": "ada@example.edu", "sid": "", "due": ""},))
    }
    tricky = tmp_path / "tricky.yml"
    tricky.write_text(
        "submission_2:\n"
        "  :submitters:\n"
        "  - :name: !!binary w4lsb2lzZSBOJ0RpYXll\n"  # the standard tag: "Éloise N'Diaye"
        "    :sid: 0012\n"  # octal 10 to a YAML 1.1 reader
        "    :assignment:\n"
        "      :due_date: '2025-03-01T12:00:00Z'\n"  # this student's own due date (an extension)
        "  - :name: !binary '/w=='\n"  # not UTF-8: replaced, not base64
        "    :sid: 1e3\n"
        "  :created_at: 2025-02-28 23:00:00.123456789 +0100\n"
        "  :due_date: 2025-02-28 12:00:00 -08:00\n"
    )
    (first, second), when = (
        read_metadata(tricky)["submission_2"].people,
        read_metadata(tricky)["submission_2"].created_at,
    )
    assert first == {"name": "Éloise N'Diaye", "sid": "0012", "email": "", "due": "2025-03-01T12:00:00+00:00"}
    assert second == {"name": "\ufffd", "sid": "1e3", "email": "", "due": "2025-02-28T12:00:00-08:00"}
    assert when == "2025-02-28T23:00:00+01:00"
    assert [iso_time(text) for text in ("2025-02-30 10:00:00", "soon", "2025-01-01", 20250101)] == [
        "",
        "",
        "2025-01-01T00:00:00",
        "",
    ]
    assert [number(value) for value in ("85.0", "18:0.85e2", "", None, "nan", "1e999", "full")] == [
        85.0,
        85.0,  # Ruby's BigDecimal, as an export writes a score
        None,
        None,
        None,
        None,
        None,
    ]
    broken = tmp_path / "broken.yml"
    broken.write_text("submission_1: [unclosed\n")
    assert read_metadata(broken) == {}


def test_student_text_cannot_drive_the_terminal_or_the_spreadsheet():
    from grader.outputs.gradebook import grades_csv
    from grader.outputs.table import summary_table

    row = batch_row(
        entry='=HYPERLINK("http://x")', name="@SUM(A1)", reason="importing it failed: \x1b[2J\x1b[31mgotcha\r"
    )
    table = summary_table([row])
    assert "\x1b" not in table and "\r" not in table and "\\x1b[2J" in table
    cells = next(csv.reader(grades_csv([row]).splitlines()[1:]))
    assert cells[:2] == ['\'=HYPERLINK("http://x")', "'@SUM(A1)"]


@pytest.mark.slow
def test_only_regrades_the_entries_named_and_rebuilds_the_class_files(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    correct = (SUBMISSIONS / "correct" / "log_softmax_gather.py").read_text()
    for name in ("alice.py", "bob.py", "carol.py"):
        (directory / name).write_text(correct)
    out = tmp_path / "out"
    assert batch(directory, out).returncode == 0

    def stamps() -> dict:
        return {path.name: (path.stat().st_ino, path.stat().st_mtime_ns) for path in (out / "results").glob("*.json")}

    before = stamps()
    (directory / "alice.py").write_text(SIGN_FLIPPED)  # regraded: named
    (directory / "bob.py").write_text(correct + "\n# changed, but not named\n")
    run = batch(directory, out, "--only", str(directory / "alice.py"))  # a path ending in the entry works too
    assert run.returncode == 0, run.stderr[-3000:]
    assert "regrading only alice.py: grading 1 with 1 worker; 2 others keep their results" in run.stderr
    assert "1 of them made from other content or grader" in run.stderr
    after = stamps()
    assert after["alice.py.json"] != before["alice.py.json"]
    assert {name: after[name] for name in ("bob.py.json", "carol.py.json")} == {
        name: before[name] for name in ("bob.py.json", "carol.py.json")
    }
    rows = {row["entry"]: row for row in csv_rows(out)}  # rebuilt from every result
    assert {name: rows[name]["total"] for name in rows} == {"alice.py": "15", "bob.py": "100", "carol.py": "100"}
    assert (
        "What is wrong: The sign is flipped" in (out / "feedback" / "alice.py.md").read_text()
    )  # by title: IDs are for tools
    assert "| entries | 3 |" in (out / "report.md").read_text()
    assert "<td><code>sign_flipped</code></td>" in (out / "report.html").read_text()

    wrong = batch(directory, out, "--only", "alice.py", "dave.py", "carol.pyy")
    assert wrong.returncode == 2
    assert "no entry is called 'dave.py'" in wrong.stderr and "did you mean carol.py" in wrong.stderr
    assert stamps() == after  # nothing graded


@pytest.mark.slow
def test_the_progress_bar_keeps_ticking_while_a_slow_entry_runs(tmp_path):
    import fcntl
    import re
    import struct
    import termios

    directory = tmp_path / "class"
    directory.mkdir()
    correct = (SUBMISSIONS / "correct" / "log_softmax_gather.py").read_text()
    (directory / "slow.py").write_text("import time\n\ntime.sleep(4)\n" + correct)  # at each import: 8 s in all
    master, terminal = os.openpty()
    fcntl.ioctl(terminal, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 120, 0, 0))
    command = [sys.executable, "-m", "grader", "batch", str(directory), "--out", str(tmp_path / "out")]
    process = subprocess.Popen(command, cwd=ROOT, stdin=terminal, stdout=terminal, stderr=terminal)
    os.close(terminal)
    screen = bytearray()
    while True:
        try:
            chunk = os.read(master, 1 << 16)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not chunk:
            break
        screen += chunk
    os.close(master)
    assert process.wait(timeout=120) == 0, screen.decode(errors="replace")[-3000:]
    frames = [frame for frame in re.split(r"[\r\n]", screen.decode(errors="replace")) if "0/1 [" in frame]
    elapsed = {match.group(1) for frame in frames if (match := re.search(r"0/1 \[(\d\d:\d\d)<", frame))}
    assert len(elapsed) >= 5, frames  # redrawn every second while the entry ran, not once at the end
    assert any("grading slow.py for" in frame for frame in frames), frames
    assert "1/1 [" in screen.decode(errors="replace")


def test_grades_csv_has_a_reason_for_lost_points_and_a_row_per_student():
    from grader.outputs.gradebook import grades_csv
    from grader.outputs.table import CSV_ENCODING, row_of

    def document(scores, mistakes=(), status="graded", **facts):
        tests = [
            {
                "name": f"{n}. Check {n}",
                "score": got,
                "max_score": out_of,
                "status": "passed" if got == out_of else "failed",
            }
            for n, (got, out_of) in enumerate(scores, start=1)
        ]
        extra = {"status": status, "mistakes": list(mistakes), "batch": {"seconds": 1.234}, **facts}
        return {"score": sum(got for got, _ in scores), "tests": tests, "output": "", "extra_data": extra}

    pair = ({"name": "Zoë", "email": "z@x.edu", "sid": "007", "due": "2025-02-04T23:59:00-08:00"}, {"name": "Li"})
    rows = [
        row_of("full", (), document([(10, 10), (20, 20)])),
        row_of(
            "pair",
            pair,
            document([(10, 10), (0, 20)], ["sign_flipped"]),
            "2025-02-05T01:29:00-08:00",
            {"sign_flipped": "The sign\nis flipped"},
        ),
        row_of("learning", (), document([(10, 10), (5, 20)])),
        row_of("many", (), document([(0, 10), (0, 20), (0, 5)])),
        row_of(
            "broken",
            (),
            document([(0, 10)], status="not graded", not_graded={"reason": "`x.py`  is\nempty"}),
        ),
        row_of("crashed", (), document([(0, 10), (0, 20)], wrong="The function raised `ValueError`.")),
        row_of(
            "crashed with a mistake named",
            (),
            document([(0, 10), (0, 20)], ["sign_flipped"], wrong="The sign is flipped."),
        ),
    ]
    assert [row["reason"] for row in rows] == [
        "",
        "sign_flipped (The sign is flipped); failed: 2. Check 2",
        "failed: 2. Check 2",
        "failed: tests 1, 2, 3",
        "`x.py` is empty",
        "scored 0: The function raised `ValueError`.",
        "sign_flipped; failed: 1. Check 1, 2. Check 2",
    ]
    text = grades_csv(rows)
    table = list(csv.DictReader(text.splitlines()))
    assert [row["entry"] for row in table][:6] == ["full", "pair", "pair", "learning", "many", "broken"]
    zoe, li = table[1], table[2]
    assert (zoe["name"], zoe["sid"], zoe["late"], zoe["hours_late"], zoe["total"]) == ("Zoë", "007", "yes", "1.5", "10")
    assert (li["name"], li["sid"], li["due"], li["late"], li["hours_late"]) == ("Li", "", "", "", "")
    assert text.splitlines()[2].startswith('"pair","Zoë","z@x.edu","007",10,10,0,"","graded",')  # no test 3 here
    assert table[0]["seconds"] == "1.23" and CSV_ENCODING == "utf-8-sig"
