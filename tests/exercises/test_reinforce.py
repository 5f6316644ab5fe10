"""The reinforce exercise: the homework handed in whole, made of the returns and discrete exercises'
parts (Exercise.components). Its corpus is graded by test_every_exercise.py; here, what composing
adds: each part graded as its own exercise grades it, the joined stub, the handout, the zip."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import CORPORA
from verbs.test_gradescope import run_autograder

from grader import package
from grader.course import registry, rubric

CORPUS = CORPORA / "reinforce"
FUNCTIONS = ("discounted_return", "discounted_reward_to_go", "gae_advantages", "pseudo_loss")


def test_each_part_has_its_own_exercises_cases_points_and_reference():
    whole = rubric.load_rubric("reinforce")
    assert whole.exercise.functions == FUNCTIONS
    for graded in whole.parts:
        home = whole.exercise.homes[graded.function]
        alone = next(g for g in rubric.load_rubric(home).parts if g.function == graded.function)
        added = {"together": 10.0} if graded.function == "pseudo_loss" else {}
        assert graded.weights == {**alone.weights, **added}
        assert {kind: [(c.seed, c.hidden, c.sizes) for c, _ in cases] for kind, cases in graded.cases.items()} == {
            kind: [(c.seed, c.hidden, c.sizes) for c, _ in cases] for kind, cases in alone.cases.items()
        }
        whole_held, alone_held = rubric.solution("reinforce", graded.function), rubric.solution(home, graded.function)
        assert (whole_held.reference, whole_held.catalog) == (alone_held.reference, alone_held.catalog)
    assert set(rubric.mistake_titles("reinforce")) == {
        *rubric.mistake_titles("returns"),
        *rubric.mistake_titles("discrete"),
    }


def test_the_stub_joins_the_components_stubs_and_is_never_graded(zygote):
    from grader.verbs.grade import grade_safely

    stub = rubric.stub_text("reinforce")
    defined = [node.name for node in ast.parse(stub).body if isinstance(node, ast.FunctionDef)]
    assert defined == list(FUNCTIONS)
    assert "import torch.nn.functional as F  # noqa: F401" in stub  # an import keeps its comment
    for home in ("returns", "discrete"):
        assert rubric.stub_text(home).split('"""', 2)[2].split("def ", 1)[1] in stub  # the first function, whole
    path = registry.folders("reinforce")[0] / "unchanged.py"
    try:
        path.write_text(stub)
        document = grade_safely(path, zygote, rubric.load_rubric("reinforce"), learning=False)
    finally:
        path.unlink()
    assert document["score"] == 0
    assert "is the handout's stub, unchanged" in document["output"] or "NotImplementedError" in document["output"]


RTG_LEARNS = "discounted_reward_to_go: Trains a CartPole-v1 policy: your reward-to-go, a correct loss"
LOSS_LEARNS = "pseudo_loss: Trains a CartPole-v1 policy"
TOGETHER = "pseudo_loss: Trains a CartPole-v1 policy: your reward-to-go and your loss together"


@pytest.mark.slow
@pytest.mark.parametrize(
    ("path", "learned"),
    [
        ("correct/homework_loops.py", {RTG_LEARNS: 10, LOSS_LEARNS: 15, TOGETHER: 10}),
        # the loss's sign flipped: its own check and the whole's fail, the reward-to-go's passes
        ("mistakes/returns_right_loss_sign.py", {RTG_LEARNS: 10, LOSS_LEARNS: 0, TOGETHER: 0}),
        # a reward-so-far: its own check and the whole's fail, the loss's (with the reference reward-to-go) passes
        ("mistakes/rtg_forward_loss_right.py", {RTG_LEARNS: 0, LOSS_LEARNS: 15, TOGETHER: 0}),
    ],
)
def test_each_part_learns_with_a_correct_partner_and_the_whole_with_both(zygote, path, learned):
    from grader.verbs.grade import grade_submission

    document = grade_submission(CORPUS / path, zygote, rubric.load_rubric("reinforce"))
    tests = {t["name"].split(". ", 1)[1]: t for t in document["tests"] if "Trains a CartPole" in t["name"]}
    assert {name: test["score"] for name, test in tests.items()} == learned
    runs = {key: value for key, value in document["extra_data"].items() if key.endswith((".learning", ".together"))}
    assert document["extra_data"]["learning"] == runs["pseudo_loss.together"]  # the class report's: the whole homework
    if path.startswith(
        "correct"
    ):  # both parts right: one training, each check trained with the student's other function
        assert len({json.dumps(value["runs"]) for value in runs.values()}) == 1, runs
        assert "It trains with your `pseudo_loss`, which passes its public checks." in tests[RTG_LEARNS]["output"]
    else:  # one part wrong: each check with the reference's partner, and nothing said of the student's
        assert "which passes its public checks" not in tests[RTG_LEARNS]["output"] + tests[LOSS_LEARNS]["output"]
    if not learned[TOGETHER]:
        assert (
            "A policy trained with your loss and your `discounted_reward_to_go` must reach" in tests[TOGETHER]["output"]
        )
        assert "(threshold 150) in 30 iterations" in tests[TOGETHER]["output"]
    assert document["extra_data"]["parts"]["gae_advantages"]["score"] == 45


def test_the_handout_ships_the_components_and_no_reference(tmp_path):
    out = package.handout(tmp_path / "handout.zip", "reinforce")
    folder = tmp_path / "student"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
        names = set(archive.namelist())
    assert {"reinforce.py", "README-returns.md", "README-discrete.md", "assignment/returns/exercise.py"} <= names
    assert "assignment/discrete/exercise.py" in names
    assert not [n for n in names if n.endswith(("mistakes.py", "rubric.json", "solution.py", "pseudo_loss.py"))]
    assert not [n for n in names if n.startswith("reference/") and n.endswith("__init__.py")]
    (folder / "mine.py").write_text((CORPUS / "mistakes/returns_right_loss_sign.py").read_text())
    done = subprocess.run(
        [sys.executable, "selfcheck.py", "--json", "mine.py"], cwd=folder, capture_output=True, text=True, timeout=120
    )
    found = json.loads(done.stdout)
    assert found["extra_data"]["mistakes"] == ["sign_flipped"], done.stderr[-2000:]
    assert "runs 3 learning checks (" in " ".join(found["output"].split())  # the grader's, named
    # --learn watches the whole homework: the student's reward-to-go and loss trained together
    for path, verdict in (("mistakes/returns_right_loss_sign.py", "FAILED"), ("correct/homework_loops.py", "PASSED")):
        (folder / "mine.py").write_text((CORPUS / path).read_text())
        learned = subprocess.run(
            [sys.executable, "selfcheck.py", "--learn", "mine.py"],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=300,
        )
        said = " ".join(learned.stdout.split())
        assert "Training CartPole-v1 policies with your pseudo_loss and your discounted_reward_to_go" in said, said
        assert (
            f"Learning check {verdict} (Trains a CartPole-v1 policy: your reward-to-go and your loss together)" in said
        )
    assert (folder / "learning_curves.png").stat().st_size > 0
    notebook = (folder / "reinforce.ipynb").read_text()
    assert "learn_in_notebook(pseudo_loss, discounted_reward_to_go=discounted_reward_to_go)" in notebook


@pytest.mark.slow
def test_the_autograder_zip_grades_the_whole_homework(tmp_path):
    archive = package.autograder(tmp_path / "autograder.zip", "reinforce")
    with zipfile.ZipFile(archive) as opened:
        course = json.loads(opened.read("assignment/exercises.json"))
    assert course["default"] == "reinforce" and set(course["exercises"]) == {"reinforce", "returns", "discrete"}
    code = (CORPUS / "mistakes/gae_across_and_sum_reduction.py").read_text()
    document = run_autograder(archive, tmp_path / "root", {"hw2.py": code})
    parts = document["extra_data"]["parts"]
    assert list(parts) == list(FUNCTIONS)
    assert parts["gae_advantages"]["mistakes"] == ["sum_runs_across_trajectories"]
    assert parts["pseudo_loss"]["mistakes"] == ["sum_reduction"]
    assert parts["discounted_return"]["score"] == parts["discounted_return"]["max_score"] == 25


def test_make_grade_grades_the_example_class(tmp_path):
    out = tmp_path / "out"
    root = Path(__file__).resolve().parents[2]
    command = [sys.executable, "-m", "grader", "batch", "examples/reinforce", "--out", str(out)]
    done = subprocess.run([*command, "--exercise", "reinforce"], cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = (out / "grades.csv").read_text("utf-8-sig")
    assert all(function in rows.splitlines()[0] for function in FUNCTIONS)
    assert len(list((out / "results").glob("*.json"))) == len(list((root / "examples/reinforce").glob("*.py")))
    report = (out / "report.md").read_text()  # the mistakes table says which part each is in
    assert "| # | part | mistake | what it is |" in report
    assert "| `pseudo_loss` | `sum_over_actions` |" in report


@pytest.mark.slow
def test_a_missing_function_zeroes_its_part_and_the_whole_training_says_why(zygote):
    from grader.verbs.grade import grade_submission

    document = grade_submission(CORPUS / "careless/only_the_loss.py", zygote, rubric.load_rubric("reinforce"))
    scores = {function: part["score"] for function, part in document["extra_data"]["parts"].items()}
    assert scores == {"discounted_return": 0, "discounted_reward_to_go": 0, "gae_advantages": 0, "pseudo_loss": 100}
    (together,) = [t for t in document["tests"] if t["name"].endswith(TOGETHER)]
    assert together["score"] == 0
    assert "trains with your `discounted_reward_to_go` too, which could not be imported" in together["output"]
    assert "no function named `discounted_reward_to_go`" in together["output"]
