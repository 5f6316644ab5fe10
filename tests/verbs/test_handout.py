"""The student handout: built from a clean tree, it self-checks with nothing but torch and keeps no secret."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import numpy as np
import pytest
from conftest import SUBMISSIONS

from grader import package, rubric

EXERCISE = "discrete"
HIDDEN_CASES = rubric.folders(EXERCISE)[1] / "rubric.json"

# Run a script with every third-party package but numpy and torch made unimportable.
ONLY_TORCH = """
import importlib.abc, runpy, sys
BLOCKED = {"gymnasium", "nbformat", "matplotlib", "tqdm", "yaml", "pytest", "landlock", "reference"}
INSTRUCTOR = ("grader.sandbox.parent", "grader.sandbox.oracle", "grader.learning.check", "grader.rubric")
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED or name in INSTRUCTOR:
            raise ImportError(f"{name} is not available to students")
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    out = package.handout(tmp_path_factory.mktemp("dist") / "handout.zip", EXERCISE)
    folder = tmp_path_factory.mktemp("student")  # an empty folder, as on a student's laptop
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    return folder


def selfcheck(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", ONLY_TORCH, "selfcheck.py", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_stub_fails_clearly(handout):
    finished = selfcheck(handout)
    assert finished.returncode == 1, finished.stderr
    assert "NotImplementedError" in finished.stdout and "Score: 0 /" in finished.stdout


def test_correct_solution_passes(handout):
    finished = selfcheck(handout, str(SUBMISSIONS / "correct/categorical_log_prob.py"))
    assert finished.returncode == 0, finished.stdout + finished.stderr
    assert "All checks passed." in finished.stdout


def test_mistake_is_named_from_public_data_alone(handout):
    finished = selfcheck(handout, str(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py"))
    assert finished.returncode == 1
    assert "`sum_over_actions`" in finished.stdout and "mean(q)/A" in finished.stdout


def test_notebook_runs_the_self_check(handout, tmp_path):
    notebook = nbformat.read(handout / "pseudo_loss.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "def pseudo_loss" in code[0] and "check_function" in code[-1]
    solution = (SUBMISSIONS / "correct/log_softmax_gather.py").read_text()
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join([code[0], solution] + code[1:]))
    finished = subprocess.run(
        [sys.executable, "-c", ONLY_TORCH, str(script)], cwd=handout, capture_output=True, text=True, timeout=120
    )
    assert "All checks passed." in finished.stdout, finished.stdout + finished.stderr


def test_handout_holds_the_exercise_and_the_self_check_it_needs(handout):
    unpacked = (p.relative_to(handout) for p in handout.rglob("*") if p.is_file())
    names = {str(p) for p in unpacked if "__pycache__" not in p.parts}  # the self-check's runs add those
    spec = rubric.exercise(EXERCISE)
    stub = spec.stub_file
    own = {stub, "README.md", "selfcheck.py", "exercise.py", f"{Path(stub).stem}.ipynb", "public_data.npz"}
    own |= {spec.walkthrough} if spec.walkthrough else set()
    public = rubric.folders(EXERCISE)[0]
    roots = [package.ROOT / root for root in package.HANDOUT_ROOTS] + [public / "exercise.py"]
    modules = {str(path.relative_to(package.ROOT)) for path in package.handout_modules(*roots)}
    assert names == own | modules
    assert "checks/part" in package.HANDOUT_MODULES and "grader/author.py" in modules
    for name in (stub, "README.md", "selfcheck.py", "exercise.py"):
        assert (handout / name).read_bytes() == (public / name).read_bytes()


def test_no_reference_implementation_and_no_hidden_seed(handout):
    names = {str(p.relative_to(handout)) for p in handout.rglob("*") if p.is_file()}
    assert not [n for n in names if n.startswith("reference") or n.endswith("mistakes.py")]
    reference_line = "return -(log_probs * q_values).mean()"
    texts = [p.read_text(errors="ignore") for p in handout.rglob("*") if p.suffix in (".py", ".md", ".ipynb")]
    assert not [t for t in texts if reference_line in t or "def _sum_over_actions" in t]
    hidden = json.loads(HIDDEN_CASES.read_text())["hidden"]
    hidden_seeds = {seed for triples in hidden.values() for seed, _, _ in triples}
    with np.load(handout / "public_data.npz", allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    assert {case["seed"] for case in meta["cases"]}.isdisjoint(hidden_seeds)
    assert "learning" not in meta["weights"]
