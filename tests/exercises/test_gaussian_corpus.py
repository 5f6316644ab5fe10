"""The Gaussian exercise's corpus graded end to end through the sandbox, and its verbs from the command line."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CORPORA, scores
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
CORPUS = CORPORA / "gaussian"
LEARNING = "Trains an InvertedPendulum-v5 policy"


@pytest.fixture(scope="module")
def grade(zygote):
    from grader.course import rubric
    from grader.verbs.grade import grade_safely

    graded = rubric.load_rubric("gaussian")

    def run(path, **options):
        return grade_safely(Path(path), zygote, graded, **options)

    return run


def test_dropped_constant_loses_only_the_value_points(grade):
    got = scores(grade(CORPUS / "mistakes/dropped_constant_by_hand.py", learning=False))
    assert got["Loss value equals the reference"] == 0
    assert got["Gradients dL/dmean and dL/dlog_std equal the reference"] == 30


def test_regression_is_told_its_log_std_gets_no_gradient(grade):
    document = grade(CORPUS / "mistakes/mse_regression_weighted.py", learning=False)
    gradient = next(t for t in document["tests"] if t["name"].endswith("equal the reference"))
    assert gradient["status"] == "failed" and "nothing reaches `log_std`" in gradient["output"]


def test_learning_passes_for_the_reference_form_and_fails_for_a_fixed_std(grade):
    right = grade(CORPUS / "correct/normal_log_prob_sum.py")
    assert right["score"] == 100, scores(right)
    runs = right["extra_data"]["learning"]["runs"]
    assert [run["seed"] for run in runs] == [0, 12, 19] and all(run["passed"] for run in runs)
    shown = next(test["output"] for test in right["tests"] if test["name"].startswith("7."))
    items = [t.content for t in MarkdownIt("commonmark").parse(shown) if t.type == "inline"]
    assert [item.split(":")[0] for item in items] == ["Seed 0", "Seed 12", "Seed 19"]  # one line each, not run together
    wrong = grade(CORPUS / "mistakes/log_std_detached_normal.py")
    assert scores(wrong)[LEARNING] == 0
    assert not wrong["extra_data"]["learning"]["passed"]


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "grader", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )


def test_check_and_grade_verbs_take_the_exercise():
    checked = _cli("check", "--exercise", "gaussian", str(CORPUS / "mistakes/sign_flipped_normal.py"))
    assert (
        checked.returncode == 0 and "The sign is flipped" in checked.stdout and "hidden" not in checked.stdout.lower()
    )
    graded = _cli("grade", "--exercise", "gaussian", "--json", str(CORPUS / "mistakes/unweighted_nll.py"))
    document = json.loads(graded.stdout)
    assert document["extra_data"]["mistakes"] == ["unweighted"]


def test_batch_grades_a_class_of_gaussian_submissions(tmp_path):
    folder = tmp_path / "class"
    folder.mkdir()
    for name in ("correct/mvn_scale_tril.py", "mistakes/no_log_density.py"):
        (folder / Path(name).name).write_bytes((CORPUS / name).read_bytes())
    done = _cli("batch", "--exercise", "gaussian", str(folder), "--out", str(tmp_path / "out"), "--jobs", "1")
    assert done.returncode == 0, done.stderr[-2000:]
    results = {p.name: json.loads(p.read_text()) for p in (tmp_path / "out" / "results").glob("*.json")}
    assert results["mvn_scale_tril.py.json"]["score"] == 100
    assert results["no_log_density.py.json"]["extra_data"]["mistakes"] == ["no_log"]


def test_gradescope_entry_point_grades_the_gaussian_exercise(tmp_path):
    (tmp_path / "submission").mkdir()
    (tmp_path / "submission" / "pseudo_loss.py").write_bytes((CORPUS / "mistakes/sum_reduction_normal.py").read_bytes())
    done = _cli("gradescope", "--exercise", "gaussian", "--root", str(tmp_path))
    assert done.returncode == 0, done.stderr[-2000:]
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["extra_data"]["mistakes"] == ["sum_reduction"]


def test_handout_and_autograder_zips_carry_the_gaussian_exercise(tmp_path):
    for kind in ("handout", "autograder"):
        done = subprocess.run(
            [sys.executable, "-m", "grader.package", kind, str(tmp_path / f"{kind}.zip"), "--exercise", "gaussian"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert done.returncode == 0, done.stderr[-2000:]
    handout = zipfile.ZipFile(tmp_path / "handout.zip").namelist()
    assert {"pseudo_loss.py", "README.md", "selfcheck.py", "exercise/exercise.py", "public_data.npz"} <= set(handout)
    # Of reference/, the learning environment alone (for --learn): no loss, catalog or hidden case.
    assert [name for name in handout if name.startswith("reference")] == ["reference/gaussian/pendulum.py"]
    autograder = zipfile.ZipFile(tmp_path / "autograder.zip").namelist()
    assert {
        "reference/gaussian/pendulum.py",
        "reference/gaussian/rubric.json",
        "assignment/gaussian/exercise.py",
    } <= set(autograder)
    assert not any("discrete" in name for name in autograder)
