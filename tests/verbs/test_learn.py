"""`python selfcheck.py --learn` in a built handout: the grader's learning check on the student's
computer, each iteration printed, the grader's verdict, the curves drawn; without gymnasium, what
to install."""

from __future__ import annotations

import re
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import CORPORA, SUBMISSIONS

from grader import package
from grader.course import rubric

ITERATION = re.compile(r"^seed +(\d+) +iteration +(\d+) +mean return +([\d.]+)", re.M)
SEED_LINE = re.compile(r"Seed \d+: return .*")

# Run a script with some packages made unimportable, as on a laptop without the optional extra.
WITHOUT = """
import importlib.abc, runpy, sys
BLOCKED = set(sys.argv[1].split(","))
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in BLOCKED:
            raise ImportError(f"No module named {name!r}")
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[2:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def unpacked(folder: Path, exercise: str) -> Path:
    out = package.handout(folder / "handout.zip", exercise)
    student = folder / "student"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(student)
    return student


@pytest.fixture(scope="module")
def handout(tmp_path_factory) -> Path:
    return unpacked(tmp_path_factory.mktemp("discrete"), "discrete")


def learn(folder: Path, *args: str, blocked: str = "") -> subprocess.CompletedProcess:
    command = [sys.executable, "-c", WITHOUT, blocked, "selfcheck.py", "--learn", *args]
    return subprocess.run(
        command, cwd=folder, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"}
    )


def test_a_correct_loss_learns_iteration_by_iteration_as_the_reference_does(handout):
    (handout / "learning_curves.png").unlink(missing_ok=True)
    done = learn(handout, str(SUBMISSIONS / "correct/categorical_log_prob.py"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Learning check PASSED (Trains a CartPole-v1 policy)." in done.stdout
    printed = ITERATION.findall(done.stdout)
    summaries = SEED_LINE.findall(done.stdout)
    assert len(summaries) == 3 and all(line.endswith("(passed).") for line in summaries)
    for seed in ("0", "1", "2"):  # every iteration of every seed, in order, beside the reference's same number
        iterations = [int(it) for s, it, _ in printed if s == seed]
        assert iterations == list(range(1, len(iterations) + 1)) and len(iterations) >= 5
        assert f"Seed {seed}: return" in done.stdout and f"in {len(iterations)} iterations (passed)" in done.stdout
    for line in done.stdout.splitlines():
        if ITERATION.match(line):
            mine, reference = re.findall(r"\d+\.\d", line)
            assert mine == reference  # the same loss up to rounding: the same curve
        assert len(line) <= 100, line
    assert (handout / "learning_curves.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_seed_proposal_fails_with_the_graders_own_numbers(handout, grade):
    wrong = SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py"
    done = learn(handout, str(wrong))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Learning check FAILED" in done.stdout
    assert len(ITERATION.findall(done.stdout)) >= 30  # seed 0's whole budget, printed as it went
    graded = grade(wrong)["extra_data"]["learning"]
    assert not graded["passed"]
    for line in graded["summary"].split(" Seed "):  # the same seeds, returns and reason, wrapped for a terminal
        assert " ".join(line.split()).removeprefix("Seed ") in " ".join(done.stdout.split())


def test_without_gymnasium_it_says_what_to_install(handout):
    done = learn(handout, str(SUBMISSIONS / "correct/categorical_log_prob.py"), blocked="gymnasium")
    assert done.returncode == 2
    assert "The learning check needs gymnasium, an optional extra" in done.stdout
    assert "pip install gymnasium==1.4.0 matplotlib==3.10.7" in done.stdout
    assert "Traceback" not in done.stdout + done.stderr


def test_without_matplotlib_it_still_learns_and_says_how_to_get_the_plot(handout):
    done = learn(handout, str(SUBMISSIONS / "correct/log_softmax_gather.py"), blocked="matplotlib")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Learning check PASSED" in done.stdout and "Install matplotlib to get a plot" in done.stdout


def test_the_notebooks_learning_cell_shows_the_curves_inline(handout, tmp_path):
    notebook = nbformat.read(handout / "pseudo_loss.ipynb", as_version=4)
    cells = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    solution = (SUBMISSIONS / "correct/log_softmax_gather.py").read_text()
    fake = tmp_path / "IPython"  # a notebook has IPython; this venv does not
    fake.mkdir()
    (fake / "__init__.py").write_text("")
    (fake / "display.py").write_text(
        "def Image(filename):\n    return filename\n\ndef display(image):\n    print('displayed', image)\n"
    )
    script = tmp_path / "notebook.py"
    script.write_text(
        "\n\n".join(
            [
                f"import os, sys\nsys.path[:0] = [os.getcwd(), {str(tmp_path)!r}]  # a kernel has its folder on the path",
                solution,
                cells[-1],
            ]
        )
    )
    done = subprocess.run([sys.executable, str(script)], cwd=handout, capture_output=True, text=True, timeout=300)
    assert "Learning check PASSED" in done.stdout, done.stdout + done.stderr
    assert "displayed learning_curves.png" in done.stdout


@pytest.mark.slow
def test_the_gaussian_handout_learns_and_names_mujoco_when_it_is_missing(tmp_path):
    folder = unpacked(tmp_path, "gaussian")
    correct = CORPORA / "gaussian/correct/normal_log_prob_sum.py"
    done = learn(folder, str(correct))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Learning check PASSED (Trains an InvertedPendulum-v5 policy)." in done.stdout
    missing = learn(folder, str(correct), blocked="mujoco")
    assert missing.returncode == 2, missing.stdout + missing.stderr
    assert "needs gymnasium, mujoco and imageio" in missing.stdout
    assert "pip install gymnasium==1.4.0 mujoco==3.3.4 imageio==2.38.1 matplotlib==3.10.7" in missing.stdout


def test_a_mistake_that_only_slows_learning_passes_it_and_is_still_said(tmp_path):
    """The returns' undiscounted reward-to-go trains CartPole as well as the right one; --learn
    must not leave the student thinking the function is right."""
    folder = unpacked(tmp_path, "returns")
    done = learn(folder, str(CORPORA / "returns/mistakes/reward_to_go_not_discounted_cumsum.py"))
    assert done.returncode == 0 and "Learning check PASSED" in done.stdout, done.stdout + done.stderr
    part = rubric.exercise("returns").part("discounted_reward_to_go")
    public = len(part.checks) - len(part.learnings)  # the self-check runs every check but learning
    said = f"your discounted_reward_to_go still fails 2 of its {public} checks on the public cases"
    assert said in " ".join(done.stdout.split())
    correct = learn(folder, str(CORPORA / "returns/correct/python_loops.py"))
    assert "Learning check PASSED" in correct.stdout and "Learning is not the whole grade" not in correct.stdout


def test_the_stub_fails_at_its_first_iteration_saying_why_in_short_lines(handout):
    done = learn(handout)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "the loss gave no gradient at iteration 1" in done.stdout
    assert "raised `NotImplementedError: implement pseudo_loss`" in done.stdout
    assert "is the handout's stub, unchanged" in done.stdout
    assert all(len(line) <= 100 for line in done.stdout.splitlines()), done.stdout
