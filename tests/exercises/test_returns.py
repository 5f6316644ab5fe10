"""The returns exercise's own cases graded end to end through the sandbox (its correct and mistake
files are graded by test_every_exercise.py, as every exercise's are): careless uploads, each file once,
its parts read from results.json's extra_data.parts."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
from conftest import CORPORA
from rendered import document_problems
from submissions.returns.corpus import CARELESS, CORRECT, MISTAKES, SAYS, SLOW

CORPUS = CORPORA / "returns"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def graded(zygote):
    """path -> its results.json, each file graded once for the whole module."""
    from grader.course import rubric
    from grader.verbs.grade import grade_safely

    exercise = rubric.load_rubric("returns")
    done: Dict[str, dict] = {}

    def run(name: str) -> dict:
        if name not in done:
            done[name] = grade_safely(CORPUS / name, zygote, exercise, learning=False)
            assert not document_problems(done[name]), document_problems(done[name])
        return done[name]

    return run


@pytest.fixture(scope="module")
def part_of():
    """Catalog ID -> the function whose catalog has it."""
    from reference.returns import SOLUTIONS

    return {mistake.id: function for function, solution in SOLUTIONS.items() for mistake in solution.catalog}


def _parts(document: dict) -> Dict[str, dict]:
    return document["extra_data"]["parts"]


def _failing(document: dict, function: str) -> str:
    return "\n".join(
        t["output"]
        for t in document["tests"]
        if t["status"] == "failed" and t["name"].split(". ", 1)[1].startswith(f"{function}: ")
    )


def test_corpus_files_exist():
    named = [*CORRECT, *MISTAKES, *CARELESS, *SLOW]
    assert all((CORPUS / name).is_file() for name in named)
    on_disk = {str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*") if p.suffix in (".py", ".ipynb")}
    assert on_disk - set(named) == {"corpus.py", "careless/make.py"}


def test_catalog_has_a_file_each(part_of):
    assert set().union(*MISTAKES.values()) == set(part_of)


@pytest.mark.parametrize("name", sorted(CARELESS))
def test_careless_upload_is_graded_on_its_merits(graded, name):
    document = graded(name)
    got = {function: part["score"] for function, part in _parts(document).items()}
    assert got == CARELESS[name]
    assert document["extra_data"]["mistakes"] == []
    (loser,) = [function for function, score in got.items() if score < _parts(document)[function]["max_score"]]
    assert SAYS[name] in _failing(document, loser)


def _speed(document: dict, function: str) -> dict:
    return next(t for t in document["tests"] if t["name"].split(". ", 1)[1].startswith(f"{function}: Fast enough"))


@pytest.mark.parametrize("name", sorted(SLOW))
def test_too_slow_costs_the_speed_points_only(graded, name):
    """A correct GAE as a loop inside a loop: 3.5 s of CPU on 2048 steps, past the 1.5 s budget."""
    document = graded(name)
    assert {function: part["score"] for function, part in _parts(document).items()} == SLOW[name]
    speed = _speed(document, "gae_advantages")
    assert speed["score"] == 0 and "the budget is 1.5 s" in speed["output"]
    assert [t["name"] for t in document["tests"] if t["status"] == "failed"] == [speed["name"]]
    assert document["extra_data"]["mistakes"] == []


def test_quadratic_time_within_the_budget_is_said_with_full_points(graded):
    """A T x T discount matrix: about 16 times as long for 4 times the steps (25 here), said, with the
    seconds measured; full points. (Its GAE's fixed costs bring its ratio near the threshold: not asserted.)"""
    document = graded("speed/triangle_matrix.py")
    assert document["score"] == 100
    said = _speed(document, "discounted_reward_to_go")["output"]
    seconds = [float(n) * (1e-3 if unit == "ms" else 1) for n, unit in re.findall(r"took ([0-9.]+) (m?s)", said)]
    assert len(seconds) == 2 and 0 < seconds[1] < seconds[0] <= 1.5, said
    assert "grows about as the square of the size" in said and "the budget is 1.5 s" in said


def test_a_loop_over_the_steps_is_timed_without_remark(graded):
    said = _speed(graded("correct/reversed_running_sum.py"), "discounted_reward_to_go")["output"]
    assert "square" not in said and re.search(r"took [0-9.]+ ms of CPU time", said), said


def test_scipy_lfilter_is_graded_with_scipy_already_in_its_child(graded, zygote):
    """Spinning Up's discount_cumsum: full marks, and every child forked after it has scipy.signal
    before the submission runs (the zygote imported it once: 1 s a child otherwise)."""
    from grader.course import rubric
    from grader.sandbox.sandboxed import SandboxChild

    assert graded("correct/lfilter_discount_cumsum.py")["score"] == 100
    had = "import sys\nHAD = float('scipy.signal' in sys.modules)\ndef discounted_return(rewards, gamma):\n    return rewards * 0 + HAD\n"
    child = SandboxChild(zygote, {"submission.py": had}, [rubric.exercise("returns").parts[0].contract])
    try:
        assert child.import_submission()["discounted_return"] is None
        answer = child.oracle("discounted_return").call(np.ones(3), np.asarray(0.9))
    finally:
        child.close()
    assert answer.value.tolist() == [1.0, 1.0, 1.0]


def test_only_a_submission_that_names_scipy_waits_for_its_import():
    from grader.submission.load import Source
    from grader.verbs.grade import _named

    def named(text: str):
        return _named(("scipy.signal",), Source({"submission.py": text}, Path("x.py"), (), ""))

    assert named("from scipy.signal import lfilter") == ("scipy.signal",)
    assert named("import numpy as np") == ()


def test_a_mistake_costs_the_value_checks_not_the_interface_or_purity(graded):
    scores = {t["name"].split(". ", 1)[1]: t["score"] for t in graded("mistakes/value_not_subtracted.py")["tests"]}
    gae = {name.split(": ", 1)[1]: score for name, score in scores.items() if name.startswith("gae_advantages")}
    assert gae["Interface: returns a float array of shape (B,)"] == 5
    assert gae["Pure: inputs unchanged, same answer twice"] == 5
    assert gae["The advantages equal the reference"] == 0


def test_missing_function_names_what_the_file_defines(graded):
    feedback = _failing(graded("careless/missing_gae.py"), "gae_advantages")
    assert "it defines: discounted_return, discounted_reward_to_go" in feedback


def test_notebook_lists_what_it_skipped(graded):
    output = graded("careless/hw2_returns.ipynb")["output"]
    assert "`!pip`" in output and "`print(...)`" in output and "`plt.plot(...)`" in output


def test_notebook_builder_reproduces_the_committed_copy(tmp_path):
    from submissions.returns.careless.make import returns_notebook

    assert returns_notebook(tmp_path).read_text() == (CORPUS / "careless/hw2_returns.ipynb").read_text()


def test_handout_worked_example_shows_the_references_numbers():
    from reference.returns.mistakes import GAE
    from reference.returns.solution import discounted_return, discounted_reward_to_go, gae_advantages

    readme = (CORPUS.parents[2] / "assignment/returns/README.md").read_text()
    rewards, gamma = np.array([1.0, 2.0, 3.0, 4.0]), 0.9
    batch = (np.array([1.0, 0, 2, 1, 1]), np.array([0.5, 0.2, 1.0, 0.3, 0.4]), np.array([0, 0, 1.0, 0, 1]), 0.9, 0.8)
    shown = [discounted_return(rewards, gamma), discounted_reward_to_go(rewards, gamma), gae_advantages(*batch)]
    for values in shown:
        assert "[" + ", ".join(f"{value:.5g}" for value in values) + "]" in readme
    ignored = next(mistake.function for mistake in GAE if mistake.id == "terminals_ignored")
    assert f"A_0 = {ignored(*batch)[0]:.4g} instead of {shown[2][0]:.5g}" in readme


def test_a_class_gets_a_column_per_part_in_grades_csv(tmp_path):
    """The TA's gradebook: beside the total, each part's score, from results.json's extra_data.parts."""
    klass = tmp_path / "class"
    klass.mkdir()
    for name in ("correct/python_loops.py", "mistakes/sum_not_accumulated_plus.py"):
        (klass / Path(name).name).write_bytes((CORPUS / name).read_bytes())
    out = tmp_path / "out"
    command = [sys.executable, "-m", "grader", "batch", str(klass), "--out", str(out), "--exercise", "returns"]
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = {row["entry"]: row for row in csv.DictReader(io.StringIO((out / "grades.csv").read_text("utf-8-sig")))}
    parts = ("discounted_return", "discounted_reward_to_go", "gae_advantages")
    assert [float(rows["python_loops.py"][part]) for part in parts] == [25, 40, 45]
    assert [float(rows["sum_not_accumulated_plus.py"][part]) for part in parts] == [25, 15, 45]
    assert float(rows["sum_not_accumulated_plus.py"]["total"]) == 85


@pytest.mark.slow
def test_the_learning_check_trains_with_the_students_reward_to_go(zygote):
    """REINFORCE on CartPole with the student's reward-to-go and the reference loss: a sum that is
    not accumulated stops learning; a discount from the episode's start only slows it (the value
    checks name that one); the check's points are the reward-to-go part's alone."""
    from grader.course import rubric
    from grader.verbs.grade import grade_submission

    exercise = rubric.load_rubric("returns")
    title = "discounted_reward_to_go: Trains a CartPole-v1 policy: your reward-to-go, a correct loss"
    for name, passed in (
        ("correct/python_loops.py", True),
        ("mistakes/exponent_t_prime_docstring.py", True),
        ("mistakes/sum_not_accumulated_plus.py", False),
    ):
        document = grade_submission(CORPUS / name, zygote, exercise)
        (check,) = [t for t in document["tests"] if t["name"].endswith(title)]
        assert (check["score"] == 10) == passed, (name, check["output"])
        assert "Seed 0: return " in check["output"]
        if not passed:
            assert "(threshold 150) in 30 iterations" in check["output"]
            assert "A policy trained with your `discounted_reward_to_go` must reach" in check["output"]
        others = {f: p["score"] for f, p in _parts(document).items() if f != "discounted_reward_to_go"}
        assert others == {"discounted_return": 25.0, "gae_advantages": 45.0}
