"""The Gradescope zip, end to end: build, unpack into a fake /autograder, run run_autograder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import SUBMISSIONS

from grader import package
from grader.course import registry, rubric

EXERCISE = "discrete"
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}


def assert_valid_results(document: dict) -> None:
    """The fields Gradescope reads, with the types it expects."""
    assert isinstance(document["score"], (int, float))
    assert isinstance(document["execution_time"], (int, float))
    assert isinstance(document["output"], str) and document["output_format"] == "md"
    assert document["stdout_visibility"] == "hidden"
    assert isinstance(document["extra_data"]["mistakes"], list)
    assert document["tests"], "at least one test"
    numbers = [test["number"] for test in document["tests"]]
    assert len(set(numbers)) == len(numbers)
    for test in document["tests"]:
        assert isinstance(test["name"], str) and test["name"]
        assert isinstance(test["number"], str)
        assert isinstance(test["score"], (int, float)) and isinstance(test["max_score"], (int, float))
        assert 0 <= test["score"] <= test["max_score"]
        assert test["status"] in ("passed", "failed")
        assert isinstance(test["output"], str)
        assert test["visibility"] in VISIBILITIES
    assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))


@pytest.fixture(scope="module")
def autograder_zip(tmp_path_factory) -> Path:
    return package.autograder(tmp_path_factory.mktemp("dist") / "autograder.zip", EXERCISE)


def test_zip_has_gradescope_layout_and_nothing_else(autograder_zip):
    with zipfile.ZipFile(autograder_zip) as archive:
        names = archive.namelist()
        modes = {info.filename: info.external_attr >> 16 for info in archive.infolist()}
    assert "setup.sh" in names and "run_autograder" in names
    assert modes["setup.sh"] & 0o111 and modes["run_autograder"] & 0o111
    assert {
        "reference/discrete/pseudo_loss.py",
        "reference/discrete/rubric.json",
        "requirements.txt",
        "grader/__main__.py",
        "assignment/discrete/public_cases.json",
    } <= set(names)
    # One exercise, and of its public folder only what grading reads: the stub (never graded
    # unchanged while another file has the work), not the handout text.
    public, private = registry.folders(EXERCISE)
    exercise_files = {
        "assignment/exercises.json",
        f"assignment/{EXERCISE}/exercise.py",
        f"assignment/{EXERCISE}/public_cases.json",
        f"assignment/{EXERCISE}/{rubric.exercise(EXERCISE).stub_file}",
        "reference/__init__.py",
    } | {str(p.relative_to(registry.ROOT)) for p in private.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
    assert {n for n in names if n.startswith(("assignment/", "reference/"))} == exercise_files
    assert not [
        n for n in names if n.startswith(("tests/", ".venv/", "dist/")) or "__pycache__" in n or n.endswith(".pyc")
    ]
    requirements = zipfile.ZipFile(autograder_zip).read("requirements.txt").decode()
    assert "torch==2.13.0" in requirements


def package_command(*args: object) -> subprocess.CompletedProcess:
    command = [sys.executable, "-m", "grader.package", *map(str, args)]
    return subprocess.run(command, cwd=registry.ROOT, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("named", [True, False], ids=["exercise-named", "default-exercise"])
def test_the_package_command_builds_the_same_zip(autograder_zip, tmp_path, named):
    out = tmp_path / "autograder.zip"
    finished = package_command("autograder", out, *(("--exercise", EXERCISE) if named else ()))
    assert finished.returncode == 0, finished.stderr
    assert f"wrote {out}" in finished.stdout
    assert zipfile.ZipFile(out).namelist() == zipfile.ZipFile(autograder_zip).namelist()


@pytest.mark.parametrize("kind", ["autograder", "handout"])
def test_the_package_command_refuses_an_unknown_exercise_as_misuse(tmp_path, kind):
    finished = package_command(kind, tmp_path / "out.zip", "--exercise", "nope")
    assert finished.returncode == 2
    assert "error" in finished.stderr and "no exercise named 'nope'" in finished.stderr
    assert "Traceback" not in finished.stderr
    assert list(tmp_path.iterdir()) == []


def run_autograder(autograder_zip: Path, root: Path, submission: dict) -> dict:
    """Lay out root like Gradescope's /autograder and run the zip's run_autograder in it."""
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    for name, text in submission.items():
        (root / "submission" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "submission" / name).write_text(text)
    (root / "results").mkdir()
    (root / "submission_metadata.json").write_text(
        json.dumps(
            {
                "id": 123456,
                "created_at": "2026-11-25T10:00:00.0-08:00",
                "users": [{"email": "student@example.edu", "id": 42, "name": "A. Student"}],
            }
        )
    )
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    finished = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True, timeout=300
    )
    assert finished.returncode == 0, finished.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    assert_valid_results(document)
    assert "A. Student" in finished.stdout  # instructor-only log read the metadata
    return document


def test_correct_submission_gets_full_marks(autograder_zip, tmp_path):
    code = (SUBMISSIONS / "correct/cross_entropy_none.py").read_text()
    document = run_autograder(autograder_zip, tmp_path, {"pseudo_loss.py": code})
    assert document["score"] == sum(test["max_score"] for test in document["tests"])


def test_wrong_submission_in_a_folder_is_diagnosed(autograder_zip, tmp_path):
    code = (SUBMISSIONS / "mistakes/sign_flipped_cross_entropy.py").read_text()
    document = run_autograder(autograder_zip, tmp_path, {"hw2/policy.py": code, "hw2/notes.txt": "hi"})
    assert "sign_flipped" in document["extra_data"]["mistakes"]
    assert document["extra_data"]["graded_file"] == "policy.py"
    assert 0 < document["score"] < sum(test["max_score"] for test in document["tests"])


def test_broken_submission_scores_zero_with_the_reason(autograder_zip, tmp_path):
    document = run_autograder(autograder_zip, tmp_path, {"pseudo_loss.py": "def pseudo_loss(:\n"})
    assert document["score"] == 0
    assert "syntax error" in document["output"]


def test_hostile_submission_cannot_forge_results_or_read_the_reference(autograder_zip, tmp_path):
    forged = {"score": 100, "output": "forged", "tests": []}
    attack = f"""
import json, os
found = []
for path in [{str(tmp_path / "source" / "reference" / "discrete" / "pseudo_loss.py")!r},
             "/autograder/source/reference/discrete/pseudo_loss.py",
             {str(tmp_path / "source" / "reference" / "discrete" / "rubric.json")!r}]:
    try:
        found.append(open(path).read())
    except OSError:
        pass
for path in [{str(tmp_path / "results" / "results.json")!r}, "/autograder/results/results.json", "results.json"]:
    try:
        with open(path, "w") as handle:
            json.dump({forged!r}, handle)
    except OSError:
        pass
print("FOUND" if found else "NOTHING FOUND")
os._exit(0)
"""
    document = run_autograder(autograder_zip, tmp_path, {"pseudo_loss.py": attack})
    assert document["score"] == 0
    assert document["output"] != "forged" and "forged" not in json.dumps(document)
    assert "NOTHING FOUND" in document["output"] or "exited" in document["output"]
    assert "FOUND" not in document["output"].splitlines()


def test_grader_fault_still_writes_a_valid_results_json(tmp_path, monkeypatch):
    from grader.verbs import gradescope

    def broken(root, exercise):
        raise RuntimeError("injected fault")

    monkeypatch.setattr(gradescope, "_grade", broken)
    assert gradescope.run(tmp_path, EXERCISE) == 0
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert_valid_results(document)
    assert document["score"] == 0 and document["tests"][0]["name"] == "Autograder error"
    assert "injected fault" in document["extra_data"]["grader_fault"]
    assert "injected fault" not in document["output"] + document["tests"][0]["output"]


def run_setup(autograder_zip: Path, root: Path, env: dict) -> subprocess.CompletedProcess:
    with zipfile.ZipFile(autograder_zip) as archive:
        archive.extractall(root / "source")
    return subprocess.run(
        ["bash", str(root / "source" / "setup.sh")],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ, "AUTOGRADER_ROOT": str(root), **env},
    )


def test_setup_refuses_a_python_older_than_3_10_and_says_so(autograder_zip, tmp_path):
    fake = tmp_path / "bin"
    fake.mkdir()
    (fake / "python3").write_text(
        "#!/bin/sh\ncase \"$*\" in *version_info*) exit 1;; *--version*) echo 'Python 3.9.18';; esac\nexit 0\n"
    )
    (fake / "python3").chmod(0o755)
    finished = run_setup(autograder_zip, tmp_path / "autograder", {"PATH": f"{fake}:{os.environ['PATH']}"})
    assert finished.returncode != 0
    assert "needs Python >= 3.10, the image has Python 3.9.18" in finished.stderr


def test_setup_fails_loudly_when_torch_cannot_be_installed(autograder_zip, tmp_path):
    offline = {
        "PIP_NO_INDEX": "1",
        "PIP_FIND_LINKS": "",
        "PIP_CONFIG_FILE": os.devnull,
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
    }
    finished = run_setup(autograder_zip, tmp_path / "autograder", offline)
    assert finished.returncode != 0
    assert "could not install the CPU build of torch 2.13.0" in finished.stderr
