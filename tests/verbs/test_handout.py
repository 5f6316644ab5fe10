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

from grader import package
from grader.course import registry, rubric

EXERCISE = "discrete"
HIDDEN_CASES = registry.folders(EXERCISE)[1] / "rubric.json"

# Run a script with every third-party package but numpy and torch made unimportable.
ONLY_TORCH = """
import importlib.abc, runpy, sys
BLOCKED = {"gymnasium", "nbformat", "matplotlib", "tqdm", "yaml", "pytest", "landlock", "reference"}
INSTRUCTOR = ("grader.sandbox.parent", "grader.sandbox.sandboxed", "grader.learning.check", "grader.course.rubric")
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
    assert "What is wrong: Probabilities of all actions times q" in finished.stdout and "mean(q)/A" in finished.stdout
    assert "sum_over_actions" not in finished.stdout and "probe" not in finished.stdout  # IDs are for --json


def test_a_reader_who_stops_early_sees_no_traceback(handout):
    """`python selfcheck.py | head`, quitting `less`: the pipe closes before the report is printed
    (here always: `true` reads nothing and exits while the self-check is still starting)."""
    command = f"{sys.executable} selfcheck.py {SUBMISSIONS / 'mistakes/unweighted_nll.py'} | true"
    finished = subprocess.run(["bash", "-c", command], cwd=handout, capture_output=True, text=True, timeout=120)
    assert finished.returncode == 0 and finished.stderr == "", finished.stderr


def test_notebook_runs_the_self_check(handout, tmp_path):
    notebook = nbformat.read(handout / "pseudo_loss.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    assert "handout.zip" in code[0] and "def pseudo_loss" in code[1] and "learn_in_notebook" in code[-1]
    solution = (SUBMISSIONS / "correct/log_softmax_gather.py").read_text()
    script = tmp_path / "notebook.py"
    script.write_text("\n\n".join([code[0], code[1], solution] + code[2:-1]))  # the last cell needs gymnasium
    finished = subprocess.run(
        [sys.executable, "-c", ONLY_TORCH, str(script)], cwd=handout, capture_output=True, text=True, timeout=120
    )
    assert "Ready: the self-check is in" in finished.stdout, finished.stdout + finished.stderr
    assert "All checks passed." in finished.stdout, finished.stdout + finished.stderr


def test_handout_holds_the_exercise_and_the_self_check_it_needs(handout):
    unpacked = (p.relative_to(handout) for p in handout.rglob("*") if p.is_file())
    names = {str(p) for p in unpacked if "__pycache__" not in p.parts}  # the self-check's runs add those
    spec = rubric.exercise(EXERCISE)
    stub = spec.stub_file
    own = {stub, "README.md", "selfcheck.py", "exercise/exercise.py", f"{Path(stub).stem}.ipynb", "public_data.npz"}
    own |= {f"exercise/{spec.walkthrough}"} if spec.walkthrough else set()
    # At the top, the only .py files are the student's and the self-check (issue 30, item 5).
    assert {p.name for p in handout.glob("*.py")} == {stub, "selfcheck.py"}
    public = registry.folders(EXERCISE)[0]
    roots = [package.ROOT / root for root in package.HANDOUT_ROOTS] + [public / "exercise.py", public / "explain.py"]
    modules = {str(path.relative_to(package.ROOT)) for path in package.handout_modules(*roots)}
    trainer = {f"reference/discrete/{name}.py" for name in ("cartpole", "lockstep", "seed", "policy")}
    assert names == own | modules | trainer
    assert "checks/part" in package.HANDOUT_MODULES and "grader/author.py" in modules
    for name in (stub, "README.md"):
        assert (handout / name).read_bytes() == (public / name).read_bytes()
    assert (handout / "exercise" / "exercise.py").read_bytes() == (public / "exercise.py").read_bytes()
    # The launcher is made by package.py, one source for every exercise: no copy in assignment/.
    assert (handout / "selfcheck.py").read_text() == package.LAUNCHER.format(functions="pseudo_loss", stub=stub)
    assert not list((public.parent).glob("*/selfcheck.py"))


def test_no_reference_implementation_and_no_hidden_seed(handout):
    names = {str(p.relative_to(handout)) for p in handout.rglob("*") if p.is_file()}
    # Of reference/, the learning environment only: no __init__.py (it imports the loss), loss or catalog.
    shipped = [n for n in names if n.startswith("reference")]
    assert shipped and all(Path(n).name in ("cartpole.py", "lockstep.py", "seed.py", "policy.py") for n in shipped)
    assert not [n for n in names if n.endswith(("mistakes.py", "rubric.json", "pseudo_loss.py")) and "/" in n]
    reference_line = "return -(log_probs * q_values).mean()"
    texts = [p.read_text(errors="ignore") for p in handout.rglob("*") if p.suffix in (".py", ".md", ".ipynb")]
    assert not [t for t in texts if reference_line in t or "def _sum_over_actions" in t]
    hidden = json.loads(HIDDEN_CASES.read_text())["hidden"]
    hidden_seeds = {seed for triples in hidden.values() for seed, _, _ in triples}
    with np.load(handout / "public_data.npz", allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
    (part,) = meta["parts"]
    assert {case["seed"] for case in part["cases"]}.isdisjoint(hidden_seeds)
    assert "learning" not in part["weights"]


def test_public_data_is_a_few_flat_arrays_that_give_back_every_case_and_suspect(handout):
    """Thousands of small arrays are stored as one flat array per dtype (numpy pays for each member
    of an .npz whatever its size), and read back exactly as the grader builds them."""
    from grader.verbs.public_data import load_public_data

    with np.load(handout / "public_data.npz", allow_pickle=False) as data:
        assert len(data.files) <= 4, data.files  # float32, float64, int64 and the meta
    (saved,) = load_public_data(handout / "public_data.npz", rubric.exercise(EXERCISE)).parts
    (graded,) = rubric.load_rubric(EXERCISE, public_only=True).parts
    for kind, pairs in graded.cases.items():
        for (case, expected), (kept, kept_expected) in zip(pairs, saved.cases[kind], strict=True):
            assert all(a.dtype == b.dtype and np.array_equal(a, b) for a, b in zip(case.arrays, kept.arrays))
            assert kept_expected.value == expected.value and kept_expected.atol == expected.atol
    suspects, _ = rubric.suspects(EXERCISE, "pseudo_loss")
    assert [s.ids for s in saved.suspects] == [s.ids for s in suspects]
    for kept, built in zip(saved.suspects, suspects):
        for a, b in zip(kept.sigs, built.sigs, strict=True):
            assert (a is None) == (b is None)
            if a is not None and b is not None:
                assert str(a.value) == str(b.value)  # exactly, NaN too
                assert all(np.array_equal(a.grads[k], b.grads[k], equal_nan=True) for k in b.grads)


def test_json_for_tools_carries_the_mistake_ids_the_text_leaves_out(handout):
    finished = selfcheck(handout, "--json", str(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py"))
    assert finished.returncode == 1, finished.stderr
    document = json.loads(finished.stdout)
    assert document["extra_data"]["mistakes"] == ["sum_over_actions"] and document["score"] == 0
    assert [test["status"] for test in document["tests"]] == ["failed"] * 6  # Gradescope's form: 0 points


def test_the_notebooks_first_cell_unzips_an_uploaded_handout_or_says_what_to_do(handout, tmp_path):
    setup = nbformat.read(handout / "pseudo_loss.ipynb", as_version=4).cells[1].source
    alone = tmp_path / "content"  # Colab's folder, with the notebook opened from elsewhere
    alone.mkdir()
    told = subprocess.run([sys.executable, "-c", setup], cwd=alone, capture_output=True, text=True, timeout=60)
    assert "Colab: click the folder icon on the left, upload handout.zip" in told.stdout
    assert "Jupyter: unzip handout.zip and open this notebook from the unzipped folder" in told.stdout
    package.handout(alone / "handout.zip", EXERCISE)  # uploaded: the cell unzips it, and the checks import
    (alone / "pseudo_loss.py").write_text("# the student's own file, kept\n")
    ready = subprocess.run([sys.executable, "-c", setup], cwd=alone, capture_output=True, text=True, timeout=60)
    assert "Ready: the self-check is in" in ready.stdout, ready.stdout + ready.stderr
    assert (alone / "grader" / "verbs" / "selfcheck.py").is_file() and (alone / "public_data.npz").is_file()
    assert (alone / "pseudo_loss.py").read_text() == "# the student's own file, kept\n"
