"""Gradescope's extras in results.json: tags carrying the mistake IDs, and hidden-case results held
back until grades are published (rubric.json "hidden_tests", grader/checks/held.py)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from conftest import SUBMISSIONS
from rendered import document_problems

from grader.checks.held import Held
from grader.errors import GraderError
from grader.outputs.feedback import feedback_markdown
from grader.outputs.table import row_of
from grader.verbs.grade import grade_safely

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
CORRECT = SUBMISSIONS / "correct" / "cross_entropy_none.py"
TUNED = SUBMISSIONS / "careless" / "right_on_public_shapes_only.py"
VISIBILITIES = {"visible", "hidden", "after_due_date", "after_published"}
# What a held-back test shown once grades are published may say: counts, never an input or a number of one.
COUNTS = re.compile(
    r"^(All \d+ hidden cases pass\.|\d+ of \d+ hidden cases fail \(which ones and their inputs are not shown\)\."
    r"|\d+ of \d+ hidden cases modified an input in place \(which ones and which input are not shown\)\.)$"
)
CASES_BY_CHECK = ("interface", "value", "gradient", "sampled_actions", "stability", "purity")
ONE_BIT = "At least one of the 5 hidden cases fails (which ones, how many and their inputs are not shown)."


@pytest.fixture(scope="module")
def held_rubric(rubric):
    return dataclasses.replace(rubric, held=Held("after_published", 0.5))


@pytest.fixture(scope="module")
def grade_held(zygote, held_rubric):
    def run(path: Path) -> dict:
        document = grade_safely(path, zygote, held_rubric)
        assert not document_problems(document), document_problems(document)
        assert document["extra_data"]["status"] == "graded", document["output"]
        numbers = [test["number"] for test in document["tests"]]
        assert len(set(numbers)) == len(numbers)
        assert {test["visibility"] for test in document["tests"]} <= VISIBILITIES
        assert document["score"] == pytest.approx(sum(test["score"] for test in document["tests"]))
        return document

    return run


def visible(document: dict) -> list:
    return [test for test in document["tests"] if test["visibility"] == "visible"]


def later(document: dict) -> list:
    return [test for test in document["tests"] if test["visibility"] != "visible"]


def test_the_rubric_option_is_checked_when_the_rubric_loads():
    from grader.course.rubric import _held

    assert _held({}) is None
    assert _held({"hidden_tests": {"visibility": "after_due_date", "share": 1}}) == Held("after_due_date", 1)
    for wrong in ({"visibility": "visible"}, {"share": 0}, {"share": 1.5}, {"when": "later"}, "after_published"):
        with pytest.raises(GraderError, match="hidden_tests"):
            _held({"hidden_tests": wrong})


def test_each_check_with_hidden_cases_becomes_a_visible_and_a_held_back_test(grade_held, rubric):
    document = grade_held(CORRECT)
    shown, held = visible(document), later(document)
    titles = rubric.exercise.parts[0].titles
    assert [test["name"] for test in shown] == [f"{n}. {title}" for n, title in enumerate(titles.values(), 1)]
    kept = [title for key, title in titles.items() if key != "learning"]  # learning has no hidden case
    assert [test["name"] for test in held] == [f"{n}. {t} (hidden cases)" for n, t in enumerate(kept, len(shown) + 1)]
    assert {test["visibility"] for test in held} == {"after_published"}
    # Each check's points are split in half, learning's all stay visible; the total is the rubric's.
    assert sum(test["max_score"] for test in shown) == 57.5 and sum(test["max_score"] for test in held) == 42.5
    assert document["score"] == sum(rubric.parts[0].weights.values()) == 100
    hidden = {kind: sum(case.hidden for case, _ in pairs) for kind, pairs in rubric.parts[0].cases.items()}
    assert held[1]["output"] == f"All {hidden['policy']} hidden cases pass."  # the value check's
    assert all(COUNTS.match(test["output"]) for test in held), [test["output"] for test in held]
    assert document["output"].startswith(
        "**Score on the tests shown now: 57.5 / 57.5** (6 more tests, worth 42.5 points, are shown once grades "
        "are published)\n\nAll the tests shown now passed."
    )


def test_nothing_seen_before_publication_depends_on_a_hidden_input(grade_held):
    """A loss wrong only on shapes no public case has sees exactly what the correct loss sees."""
    correct, tuned = grade_held(CORRECT), grade_held(TUNED)

    def seen(document: dict) -> list:
        return [
            {key: test.get(key) for key in ("name", "score", "status", "output", "tags")} for test in visible(document)
        ]

    assert seen(tuned) == seen(correct)
    assert tuned["output"] == correct["output"]
    failed = {test["name"]: test["output"] for test in later(tuned) if test["status"] == "failed"}
    assert failed == {
        "9. Loss value equals the reference (hidden cases)": "2 of 5 hidden cases fail (which ones and their inputs are not shown).",
        "10. Gradient dL/dlogits equals the reference (hidden cases)": "2 of 5 hidden cases fail (which ones and their inputs are not shown).",
    }
    assert tuned["score"] == correct["score"] - 10 - 15


def test_a_wrong_loss_is_diagnosed_where_it_is_seen_and_tagged_everywhere(grade_held):
    document = grade_held(EXAMPLES / "grace.py")  # sum over the batch instead of the mean
    assert document["extra_data"]["mistakes"] == ["sum_reduction"]
    for test in document["tests"]:
        assert test.get("tags") == (None if test["status"] == "passed" else ["sum_reduction"]), test["name"]
    value = visible(document)[1]
    assert value["status"] == "failed" and "Sum over the batch" in value["output"] and "hidden" not in value["output"]
    assert all(COUNTS.match(test["output"]) for test in later(document)), [test["output"] for test in later(document)]
    assert "What is wrong: Sum over the batch instead of the mean." in document["output"]


def test_without_the_option_failing_tests_carry_the_mistake_ids_as_tags(grade):
    document = grade(EXAMPLES / "erin.py")  # the sign flipped
    assert document["extra_data"]["mistakes"] == ["sign_flipped"]
    assert {test["visibility"] for test in document["tests"]} == {"visible"}
    for test in document["tests"]:
        assert test.get("tags") == (None if test["status"] == "passed" else ["sign_flipped"]), test["name"]
    assert "tags" not in grade(CORRECT)["tests"][0]


def test_a_loss_that_cannot_train_is_told_so_from_the_public_cases_alone(grade_held):
    document = grade_held(SUBMISSIONS / "truthful" / "ignores_inputs_times_zero.py")
    assert document["score"] == 0
    for test in visible(document):
        assert test["output"].startswith("Your loss does not depend on `logits`"), test["output"]
        assert "every public case" in test["output"] and "hidden" not in test["output"]


def test_the_feedback_file_says_when_a_held_back_test_is_shown(grade_held):
    text = feedback_markdown("tuned.py", [], grade_held(TUNED))
    assert "## 9. Loss value equals the reference (hidden cases) (0 / 10, failed; on Gradescope, shown once " in text
    assert "## 2. Loss value equals the reference (10 / 10, passed)\n" in text


def test_by_default_a_student_is_told_whether_a_hidden_case_failed_and_the_staff_how_many(grade):
    """How many hidden cases fail would let a submission that recognises hidden inputs read back a
    predicate of them per resubmission (tests/sandbox/test_hostile.py grades one): the student's
    text says one bit per check, extra_data has the count and the cases."""
    document = grade(TUNED)
    value = next(test for test in document["tests"] if test["name"].startswith("2. "))
    assert value["output"] == f"All 5 public cases pass. {ONE_BIT}"
    assert value["score"] == 0 and document["score"] == 100 - 20 - 30  # all or nothing: no count in a score
    hidden = document["extra_data"]["hidden"]
    assert (
        hidden["value"]
        == hidden["gradient"]
        == {
            "failed": 2,
            "of": 5,
            "cases": [
                {"kind": "policy", "seed": 9103, "N": 1000, "A": 3},
                {"kind": "policy", "seed": 9104, "N": 2048, "A": 5},
            ],
        }
    )
    assert hidden["interface"] == {"failed": 0, "of": 7, "cases": []} and set(hidden) == set(CASES_BY_CHECK)
    # The TA's grades.csv and report give the counts; the student's feedback file does not.
    reason = row_of("tuned.py", (), document)["reason"]
    assert (
        reason
        == "failed: 2. Loss value equals the reference, 3. Gradient dL/dlogits equals the reference (hidden cases failed: value 2 of 5, gradient 2 of 5)"
    ), reason
    student = feedback_markdown("tuned.py", [], document)
    assert ONE_BIT in student and "2 of 5" not in student and "9103" not in student


def test_a_test_shown_after_the_due_date_does_not_count_either(grade_held, zygote, held_rubric):
    """A late resubmission could read it: only after_published (and hidden, never shown) counts."""
    after_due = dataclasses.replace(held_rubric, held=Held("after_due_date", 0.5))
    document = grade_safely(TUNED, zygote, after_due)
    failed = [test["output"] for test in later(document) if test["status"] == "failed"]
    assert failed == [ONE_BIT, ONE_BIT]
    published = grade_held(TUNED)
    assert published["extra_data"]["hidden"] == document["extra_data"]["hidden"]
    assert published["extra_data"]["hidden"]["value"]["failed"] == 2
