"""The submission corpus graded end to end through the sandbox: scores, mistake IDs, feedback."""

from __future__ import annotations

import re

import pytest
from conftest import SUBMISSIONS, scores
from submissions.corpus import CORRECT, MISTAKES

from grader.rubric import mistake_titles

NUMBER_PAIR = re.compile(r"expected loss (-?[\d.e+-]+|inf|nan), yours (-?[\d.e+-]+|inf|nan)", re.I)


@pytest.mark.parametrize("name", CORRECT)
def test_correct_variant_gets_every_point_and_no_accusation(grade, name):
    document = grade(SUBMISSIONS / name, learning=False)
    assert document["extra_data"]["mistakes"] == []
    assert all(test["status"] == "passed" for test in document["tests"]), scores(document)
    assert document["score"] == sum(test["max_score"] for test in document["tests"])


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_mistake_is_named_with_numbers(grade, name):
    titles = mistake_titles("discrete")
    document = grade(SUBMISSIONS / name, learning=False)
    assert set(document["extra_data"]["mistakes"]) == MISTAKES[name]
    assert document["score"] < sum(test["max_score"] for test in document["tests"])
    failing = [test["output"] for test in document["tests"] if test["status"] == "failed"]
    for mistake in MISTAKES[name]:
        assert f"`{mistake}`" not in document["output"]  # the ID is for tools (extra_data); the title is named
        assert any(f"**{titles[mistake]}**" in output for output in failing)
        assert titles[mistake] in document["output"]
    assert any(NUMBER_PAIR.search(output) for output in failing), failing[0]


def test_seed_proposal_loses_gradient_and_sampled_action_points(grade):
    document = grade(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py", learning=False)
    got = scores(document)
    assert got["Gradient dL/dlogits equals the reference"] == 0
    assert got["Non-zero loss and gradient on actions sampled from the policy"] == 0
    # The value check's: the first failing test now opens with why the loss earns nothing at all.
    explanation = next(t["output"] for t in document["tests"] if t["name"].endswith("Loss value equals the reference"))
    assert "mean(q)/A" in explanation and "zero gradient" in explanation
    assert "yours [0, 0] (zero everywhere)" in explanation


def test_grading_twice_gives_identical_results(grade):
    path = SUBMISSIONS / "mistakes/combo_sign_flipped_sum_reduction.py"
    first, second = grade(path, learning=False), grade(path, learning=False)
    for document in (first, second):
        document.pop("execution_time")
        document["extra_data"].pop("timing")
    assert first == second
