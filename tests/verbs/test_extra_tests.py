"""A course's own tests (rubric.json "extra_tests", grade --extra-tests): gradescope-utils
TestCases run in the trusted process against the sandboxed oracle, merged into results.json
(grader/verbs/extra_tests.py), with the example shipped in examples/extra_tests.py."""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest
from conftest import SUBMISSIONS
from rendered import document_problems

from grader import package
from grader.calling.oracle import LocalOracle
from grader.errors import GraderError
from grader.verbs import extra_tests
from grader.verbs.grade import grade_safely

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "extra_tests.py"
LINEAR = "8. The loss and its gradient are linear in q_values"
PER_SAMPLE = "9. The gradient of a batch is the mean of the per-sample gradients"


@pytest.fixture(scope="module")
def grade_with(zygote, rubric):
    """Grade a submission with a course tests file, as `grade --extra-tests FILE` does."""

    def run(path: Path, course: Path = EXAMPLE) -> dict:
        document = grade_safely(path, zygote, dataclasses.replace(rubric, extra_tests=course))
        assert not document_problems(document), document_problems(document)
        assert document["extra_data"]["status"] != "grader error", document["extra_data"].get("grader_fault")
        return document

    return run


def course(document: dict) -> dict:
    """The course tests of a document, by name."""
    return {test["name"]: test for test in document["tests"] if int(test["number"]) > 7}


def ours(document: dict) -> list:
    return [(test["name"], test["score"]) for test in document["tests"] if int(test["number"]) <= 7]


def write(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "course_tests.py"
    header = (
        "import unittest\nimport numpy as np\n"
        "from gradescope_utils.autograder_utils.decorators import number, partial_credit, visibility, weight\n"
    )
    path.write_text(header + textwrap.dedent(body))
    return path


def test_a_correct_submission_passes_the_example_course_tests(grade_with):
    document = grade_with(SUBMISSIONS / "correct" / "log_softmax_gather.py")
    tests = course(document)
    assert list(tests) == [LINEAR, PER_SAMPLE]
    assert [(t["score"], t["max_score"], t["status"], t["output"]) for t in tests.values()] == [
        (5.0, 5.0, "passed", "Passed."),
        (5.0, 5.0, "passed", "Passed."),
    ]
    assert tests[LINEAR]["tags"] == ["linearity"] and "tags" not in tests[PER_SAMPLE]
    assert document["score"] == 110 and document["output"].startswith("**Score: 110 / 110**\n\nAll checks passed.")
    assert document["extra_data"]["extra_tests"] == {"file": "extra_tests.py", "raised": {}}


def test_a_sum_instead_of_a_mean_fails_the_per_sample_test_alone(grade_with):
    document = grade_with(ROOT / "examples" / "grace.py")
    tests = course(document)
    assert tests[LINEAR]["status"] == "passed" and tests[PER_SAMPLE]["status"] == "failed"
    assert tests[PER_SAMPLE]["output"].startswith("Failed:\n\n```\ndL/dlogits of a batch of 6 rows, next to each row's")
    assert f"Course tests failed: `{PER_SAMPLE}`." in document["output"]
    assert document["score"] == 30 + 5


def test_a_loss_not_linear_in_q_fails_the_linearity_test_alone(grade_with):
    document = grade_with(SUBMISSIONS / "mistakes" / "unweighted_nll.py")  # q ignored
    tests = course(document)
    assert tests[LINEAR]["status"] == "failed" and tests[PER_SAMPLE]["status"] == "passed"
    assert "L(q1 + q2) = L(q1) + L(q2)" in tests[LINEAR]["output"]


def test_a_loss_that_cannot_train_earns_no_course_points(grade_with):
    document = grade_with(SUBMISSIONS / "truthful" / "ignores_inputs_times_zero.py")  # linear in q: 0 = 3 * 0
    assert document["score"] == 0
    for test in course(document).values():
        assert test["status"] == "failed" and test["output"].startswith("Your loss does not depend on `logits`")


def test_a_submission_that_cannot_run_gets_every_course_test_at_zero(grade_with):
    document = grade_with(ROOT / "examples" / "heidi.py")  # a syntax error
    tests = course(document)
    assert list(tests) == [LINEAR, PER_SAMPLE]
    assert all(
        t["score"] == 0 and t["output"].startswith("Not run: syntax error in `heidi.py`") for t in tests.values()
    )
    assert sum(test["max_score"] for test in document["tests"]) == 110


def test_a_course_test_that_raises_is_one_clear_failed_test(tmp_path, rubric):
    path = write(
        tmp_path,
        """
        class Course(unittest.TestCase):
            @weight(3)
            def test_raises(self):
                '''Divides by zero'''
                self.oracle.call(np.zeros((2, 3), np.float32), np.array([0, 2]), np.ones(2, np.float32))
                1 / 0

            @weight(2)
            @number("20")
            def test_reads_the_contract(self):
                '''Knows the arguments'''
                self.assertEqual(len(self.contract.names), 3)

            @partial_credit(4)
            def test_half_way(self, set_score=None):
                '''Gets part of the way'''
                set_score(np.float32(2.5))

            @weight(1)
            @visibility("after_published")
            def test_sub_tests(self):
                '''Counts to three'''
                for i in range(3):
                    with self.subTest(i=i):
                        self.assertLess(i, 1, "too far")
        """,
    )
    from reference.discrete import reference

    tests = extra_tests.CourseTests(path, rubric.exercise.parts[0].contract)
    tests.ask(LocalOracle(reference, rubric.exercise.parts[0].contract))
    made = {test["name"]: test for test in tests.tests(8)}
    assert list(made) == [
        "8. Gets part of the way",
        "9. Divides by zero",
        "10. Counts to three",
        "20. Knows the arguments",
    ]
    partial = made["8. Gets part of the way"]  # numpy's float from set_score, as a plain one
    assert (partial["score"], partial["max_score"], partial["status"]) == (2.5, 4.0, "failed")
    assert json.dumps(partial)
    raised = made["9. Divides by zero"]
    assert (raised["score"], raised["max_score"], raised["status"]) == (0.0, 3.0, "failed")
    assert raised["output"] == (
        "This course test could not finish: its own code raised `ZeroDivisionError: division by zero`. "
        "The course staff has the details."
    )
    assert "1 / 0" in tests.extra()["raised"]["Divides by zero"]  # the traceback, for the staff only
    assert made["20. Knows the arguments"]["status"] == "passed"
    counted = made["10. Counts to three"]  # its failing subTest counts once, as the test's failure
    assert (counted["status"], counted["visibility"]) == ("failed", "after_published") and "too far" in counted[
        "output"
    ]


@pytest.mark.parametrize(
    "body, says",
    [
        ("class C(unittest.TestCase):\n    @visibility('soon')\n    def test_x(self): pass\n", "visibility 'soon'"),
        ("class C(unittest.TestCase):\n    @weight('ten')\n    def test_x(self): pass\n", "weight 'ten'"),
        ("x = 1\n", "no unittest.TestCase test"),
        ("def broken(:\n", "cannot be imported"),
    ],
)
def test_course_tests_gradescope_would_refuse_are_refused_on_loading(tmp_path, body, says):
    with pytest.raises(GraderError, match=says):
        extra_tests.load_course_tests(write(tmp_path, body))


def test_the_autograder_zip_is_not_built_with_course_tests_that_cannot_load(tmp_path, monkeypatch):
    broken = write(tmp_path, "class C(unittest.TestCase):\n    @visibility('soon')\n    def test_x(self): pass\n")
    monkeypatch.setattr(package.rubric, "extra_tests_file", lambda name: broken)
    with pytest.raises(SystemExit) as stopped:
        package.main(["autograder", str(tmp_path / "autograder.zip")])
    assert stopped.value.code == 2 and not (tmp_path / "autograder.zip").exists()


def test_the_rubric_names_a_file_beside_it_or_nothing(tmp_path):
    from grader.course.rubric import _extra_tests, extra_tests_file

    assert extra_tests_file("discrete") is None  # make grade and the zip run none until it names one
    (tmp_path / "mine.py").write_text("")
    assert _extra_tests({"extra_tests": "mine.py"}, tmp_path) == tmp_path / "mine.py"
    for wrong in ("missing.py", "../mine.py", str(tmp_path / "mine.py")):
        with pytest.raises(GraderError, match="extra_tests"):
            _extra_tests({"extra_tests": wrong}, tmp_path)


def test_a_hostile_submission_cannot_reach_the_trusted_process_through_them(grade_with):
    hostile = SUBMISSIONS / "hostile" / "course_test_forgery.py"
    stdout = sys.stdout
    document = grade_with(hostile)
    twin = grade_with(SUBMISSIONS / "correct" / "cross_entropy_none.py")
    assert ours(document) == ours(twin)  # the grader's own tests: exactly the correct loss's
    tests = course(document)
    assert all(test["status"] == "failed" and test["score"] == 0 for test in tests.values())
    linear = tests[LINEAR]["output"]
    assert linear.startswith("Failed:\n\n`````\nthe function raised ValueError: ````\\x1b[2J\\x1b]0;owned\\x07 **Score")
    assert "\x1b" not in json.dumps(document, ensure_ascii=False) and "\x07" not in json.dumps(document)
    assert "the function gave no answer: the process stopped" in tests[PER_SAMPLE]["output"]
    assert document["output"].startswith("**Score: 100 / 110**")
    assert sys.stdout is stdout
    module = extra_tests.load_course_tests(EXAMPLE)
    assert module.PseudoLossProperties.oracle is None and module.PseudoLossProperties.contract is None


def test_grade_tries_a_course_tests_file_from_the_command_line(tmp_path):
    command = [sys.executable, "-m", "grader", "grade", "--json", "--extra-tests", str(EXAMPLE), "examples/grace.py"]
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    assert [test["status"] for test in course(json.loads(run.stdout)).values()] == ["passed", "failed"]
    broken = tmp_path / "broken.py"
    broken.write_text(
        "import unittest\nclass C(unittest.TestCase):\n    def test_x(self):\n        pass\nraise ValueError('oops')\n"
    )
    run = subprocess.run([*command[:6], str(broken), "examples/grace.py"], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 2 and "cannot be imported" in run.stderr and "ValueError: oops" in run.stderr
    assert not run.stdout


@pytest.mark.slow
def test_the_gradescope_zip_runs_the_course_tests_its_rubric_names(tmp_path):
    archive = package.autograder(tmp_path / "autograder.zip", "discrete")
    root = tmp_path / "autograder"
    with zipfile.ZipFile(archive) as unzipped:
        unzipped.extractall(root / "source")
    private = root / "source" / "reference" / "discrete"
    config = json.loads((private / "rubric.json").read_text())
    (private / "rubric.json").write_text(json.dumps({**config, "extra_tests": "extra_tests.py"}))
    (private / "extra_tests.py").write_text(EXAMPLE.read_text())
    (root / "submission").mkdir(parents=True)
    (root / "submission" / "pseudo_loss.py").write_text((ROOT / "examples" / "grace.py").read_text())
    (root / "results").mkdir()
    env = {**os.environ, "AUTOGRADER_ROOT": str(root), "GRADER_PYTHON": sys.executable}
    run = subprocess.run(["bash", str(root / "source" / "run_autograder")], env=env, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    document = json.loads((root / "results" / "results.json").read_text())
    assert [test["status"] for test in course(document).values()] == ["passed", "failed"]
    assert document["score"] == 35 and document["extra_data"]["extra_tests"]["file"] == "extra_tests.py"


@pytest.mark.slow
def test_a_batch_skips_course_files_and_runs_the_tests_the_rubric_names(tmp_path):
    directory = tmp_path / "class"
    directory.mkdir()
    for name in ("alice.py", "grace.py", "extra_tests.py"):
        (directory / name).write_text((ROOT / "examples" / name).read_text())
    script = (
        "import dataclasses, sys\nfrom pathlib import Path\nfrom grader import cli\nfrom grader.course import rubric\nreal = rubric.load_rubric\n"
        "def load(name, public_only=False):\n    found = real(name, public_only)\n"
        "    return found if public_only else dataclasses.replace(found, extra_tests=Path(sys.argv[1]))\n"
        "rubric.load_rubric = load\nsys.exit(cli.main(sys.argv[2:]))\n"
    )
    out = tmp_path / "out"
    command = [sys.executable, "-c", script, str(EXAMPLE), "batch", str(directory), "--out", str(out)]
    run = subprocess.run([*command, "--skip", "extra_tests.py"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "2 entries" in run.stderr
    assert sorted(path.name for path in (out / "results").iterdir()) == ["alice.py.json", "grace.py.json"]
    grace = json.loads((out / "results" / "grace.py.json").read_text())
    assert [test["status"] for test in course(grace).values()] == ["passed", "failed"]
    header = (out / "grades.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert LINEAR.split(". ", 1)[1] in header and PER_SAMPLE.split(". ", 1)[1] in header
