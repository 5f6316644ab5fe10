"""`python -m grader ...` end to end, as a student or TA types it; and the trust boundary seen
from the grading process.

The CLI tests run the grader as a subprocess from the repository root: each one
forks its own zygote before loading the reference, which this pytest process
(whose conftest already did) could not do again. The trust-boundary tests grade
in this process with the `grade` fixture, then look at this process's own state.
"""

from __future__ import annotations

import builtins
import copy
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from conftest import SUBMISSIONS, scores

import grader

ROOT = Path(__file__).resolve().parents[2]
CORRECT = SUBMISSIONS / "correct" / "cross_entropy_none.py"
PARTIAL = SUBMISSIONS / "mistakes" / "combo_sign_flipped_sum_reduction.py"  # some points, two mistakes
SYNTAX_ERROR = SUBMISSIONS / "broken" / "syntax_error.py"
EXIT_MISUSE = 2


def grader_command(*args: object) -> list:
    return [sys.executable, "-m", "grader", *map(str, args)]


def cli(*args: object, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(grader_command(*args), cwd=ROOT, capture_output=True, text=True, timeout=timeout)


def without_timings(document: dict) -> dict:
    document = copy.deepcopy(document)
    document.pop("execution_time")
    document["extra_data"].pop("timing", None)
    return document


# --- grade --json ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def two_json_runs():
    """`grade PARTIAL --json` twice, at the same time (they share nothing but the files)."""
    runs = [
        subprocess.Popen(
            grader_command("grade", PARTIAL, "--json"),
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    finished = []
    for run in runs:
        stdout, stderr = run.communicate(timeout=120)
        finished.append((run.returncode, stdout, stderr))
    return finished


def test_grade_json_prints_one_valid_document_whose_score_is_the_sum_of_its_tests(two_json_runs):
    code, stdout, stderr = two_json_runs[0]
    assert code == 0, stderr
    document = json.loads(stdout)  # the whole of stdout is the document: nothing printed around it
    assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))
    assert 0 < document["score"] < sum(test["max_score"] for test in document["tests"])
    assert set(document["extra_data"]["mistakes"]) == {"sign_flipped", "sum_reduction"}
    assert document["tests"][-1]["name"].endswith("Trains a CartPole-v1 policy")  # the full grade
    assert document["extra_data"]["timing"]  # what the comparison below leaves out exists


def test_grade_json_twice_gives_the_same_document_but_timings(two_json_runs):
    (code1, first, _), (code2, second, _) = two_json_runs
    assert code1 == code2 == 0
    first, second = json.loads(first), json.loads(second)
    assert without_timings(first) == without_timings(second)


# --- grade and check as text ---------------------------------------------------------------------------


def test_grade_prints_a_readable_summary():
    finished = cli("grade", CORRECT)
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    assert "Score: 100 / 100" in out
    assert "[PASS] 1. Interface" in out and "[PASS] 7. Trains a CartPole-v1 policy" in out
    assert "[FAIL]" not in out
    assert not out.lstrip().startswith("{")  # not JSON
    assert "**" not in out  # markdown bold is for Gradescope, not the terminal


def test_grade_of_a_wrong_submission_exits_zero_and_mentions_hidden_cases():
    finished = cli("grade", PARTIAL)
    assert finished.returncode == 0, finished.stderr
    assert "Score: " in finished.stdout and "[FAIL] 2. Loss value" in finished.stdout
    assert "What is wrong: The sign is flipped" in finished.stdout and "`sign_flipped`" not in finished.stdout
    assert "hidden" in finished.stdout  # "... of ... hidden cases fail": what check must not say


def test_check_uses_public_cases_only_and_exits_zero():
    finished = cli("check", PARTIAL)
    assert finished.returncode == 0, finished.stderr
    assert "Score: " in finished.stdout and "[FAIL] 2. Loss value" in finished.stdout
    assert "public case" in finished.stdout
    assert "hidden" not in finished.stdout.lower()


def test_broken_submission_is_graded_zero_and_exits_zero():
    finished = cli("grade", SYNTAX_ERROR, "--json")
    assert finished.returncode == 0, finished.stderr
    document = json.loads(finished.stdout)
    assert document["score"] == 0
    assert "syntax error in `syntax_error.py` line 6" in document["output"]


# --- misuse of the grader is not a grade: exit status 2 ----------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ("grade", "{tmp}/nowhere.py"),
        ("check", "{tmp}/nowhere.py"),
        ("grade", "{tmp}/nowhere.py", "--json"),
        ("regrade", str(CORRECT)),
        ("grade",),
        ("batch", str(CORRECT), "--out", "{tmp}/out"),
        ("batch", str(SUBMISSIONS / "correct"), "--out", "{tmp}/out", "--jobs", "0"),
        ("batch", str(SUBMISSIONS / "correct"), "--out", "{tmp}/out", "--jobs", "-3"),
        ("grade", str(CORRECT), "--exercise"),
        ("grade", str(CORRECT), "--exercise", "nope"),
        ("check", str(CORRECT), "--exercise", "nope"),
        ("batch", str(SUBMISSIONS / "correct"), "--out", "{tmp}/out", "--exercise", "nope"),
        ("gradescope", "--root", "{tmp}", "--exercise", "nope"),
    ],
    ids=[
        "grade-missing",
        "check-missing",
        "grade-json-missing",
        "unknown-verb",
        "grade-no-path",
        "batch-on-a-file",
        "batch-jobs-0",
        "batch-jobs-negative",
        "exercise-no-name",
        "grade-unknown-exercise",
        "check-unknown-exercise",
        "batch-unknown-exercise",
        "gradescope-unknown-exercise",
    ],
)
def test_misuse_exits_2_with_an_error_and_writes_nothing(tmp_path, args):
    finished = cli(*(arg.format(tmp=tmp_path) for arg in args), timeout=60)
    assert finished.returncode == EXIT_MISUSE, (finished.stdout, finished.stderr)
    assert "error" in finished.stderr
    assert finished.stdout == ""
    assert list(tmp_path.iterdir()) == []


def test_an_unknown_exercise_names_the_ones_this_grader_has(tmp_path):
    finished = cli("grade", CORRECT, "--exercise", "nope", timeout=60)
    assert finished.returncode != 0 and finished.stdout == ""
    assert "no exercise named 'nope'" in finished.stderr and "discrete" in finished.stderr
    assert list(tmp_path.iterdir()) == []


# --- --exercise and EXERCISE= -----------------------------------------------------------------------


def test_every_verb_takes_an_exercise():
    for verb in ("check", "grade", "batch", "gradescope"):
        finished = cli(verb, "--help", timeout=60)
        assert finished.returncode == 0, finished.stderr
        assert "--exercise NAME" in finished.stdout, verb


def test_naming_the_default_exercise_grades_as_naming_none():
    named = cli("check", PARTIAL, "--exercise", "discrete")
    unnamed = cli("check", PARTIAL)
    assert named.returncode == unnamed.returncode == 0, named.stderr + unnamed.stderr
    assert "[FAIL] 2. Loss value" in named.stdout and "The sign is flipped" in named.stdout
    assert named.stdout == unnamed.stdout


@pytest.mark.parametrize("target", ["grade", "autograder", "handout"])
def test_make_passes_exercise_on(target):
    finished = subprocess.run(
        ["make", "-n", target, "EXERCISE=another"], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert finished.returncode == 0, finished.stderr
    assert "--exercise another" in finished.stdout


# --- gradescope -------------------------------------------------------------------------------------


def test_gradescope_writes_results_json_under_its_root(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "pseudo_loss.py").write_text(PARTIAL.read_text())
    finished = cli("gradescope", "--root", tmp_path)
    assert finished.returncode == 0, finished.stderr
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert set(document["extra_data"]["mistakes"]) == {"sign_flipped", "sum_reduction"}
    assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))
    assert document["extra_data"]["graded_file"] == "pseudo_loss.py"
    assert f"score {document['score']:g}" in finished.stdout  # the instructor's log


def test_gradescope_with_nothing_submitted_still_writes_a_zero(tmp_path):
    (tmp_path / "submission").mkdir()
    finished = cli("gradescope", "--root", tmp_path)
    assert finished.returncode == 0, finished.stderr
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["score"] == 0
    assert "contains no `.py` or `.ipynb` file" in document["output"]


# --- the trust boundary, from the grading process's side -------------------------------------------

ATTACK = '''"""Tries to leave traces in whatever process imports it."""
import builtins
import os
import sys

import grader
import torch
import torch.nn.functional as F

MARKER = {marker!r}
try:
    with open(MARKER, "w") as handle:
        handle.write("written by the submission")
    print("MARKER written")
except OSError as exc:
    print("MARKER blocked:", type(exc).__name__)
os.environ["PSEUDOLOSS_SUBMISSION_WAS_HERE"] = "1"
builtins.PSEUDOLOSS_SUBMISSION_WAS_HERE = True
grader.__version__ = "written by the submission"
torch.PSEUDOLOSS_SUBMISSION_WAS_HERE = True
WAS_HERE = True
print("ATTACK done")


def pseudo_loss(logits, actions, q_values):
    os.environ["PSEUDOLOSS_CALLED"] = "1"
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
'''


def test_what_a_submission_does_at_import_stays_in_its_child(grade, tmp_path):
    marker = tmp_path / "marker.txt"
    path = tmp_path / "attack.py"
    path.write_text(ATTACK.format(marker=str(marker)))
    version = grader.__version__
    document = grade(path, learning=False)
    assert document["score"] == sum(test["max_score"] for test in document["tests"]), scores(document)
    assert "ATTACK done" in document["output"]  # the attack did run, in the child
    assert "MARKER blocked" in document["output"]
    assert not marker.exists()
    assert "PSEUDOLOSS_SUBMISSION_WAS_HERE" not in os.environ and "PSEUDOLOSS_CALLED" not in os.environ
    assert not hasattr(builtins, "PSEUDOLOSS_SUBMISSION_WAS_HERE")
    assert grader.__version__ == version
    assert not hasattr(torch, "PSEUDOLOSS_SUBMISSION_WAS_HERE")
    assert "submission" not in sys.modules
    assert not any(getattr(module, "WAS_HERE", None) is True for module in list(sys.modules.values()))


EXITS = {
    "sys.exit": (
        "sys.exit(0)",
        {"import": "called sys.exit(0) while being imported", "call": "SystemExit: the function called sys.exit(0)"},
    ),
    "os._exit": ("os._exit(0)", {"import": "exited with status 0", "call": "exited with status 0"}),
}


@pytest.mark.parametrize("when", ["import", "call"])
@pytest.mark.parametrize("how", sorted(EXITS))
def test_exit_in_a_submission_scores_zero_and_the_grader_goes_on(grade, tmp_path, how, when):
    statement, messages = EXITS[how]
    code = "import os\nimport sys\n\nimport torch.nn.functional as F\n\n"
    body = "    return (F.cross_entropy(logits, actions, reduction='none') * q_values).mean()\n"
    if when == "import":
        code += f"{statement}\n"
    else:
        body = f"    {statement}\n" + body
    path = tmp_path / f"exit_{when}.py"
    path.write_text(code + "\n\ndef pseudo_loss(logits, actions, q_values):\n" + body)
    pid = os.getpid()
    document = grade(path, learning=False)
    assert os.getpid() == pid  # still this process, still running
    assert document["score"] == 0, scores(document)
    assert document["extra_data"]["status"] != "grader error"
    shown = document["output"] + "".join(test["output"] for test in document["tests"])
    assert messages[when] in shown
    # and the next submission is graded as usual
    after = grade(CORRECT, learning=False)
    assert after["score"] == sum(test["max_score"] for test in after["tests"])
