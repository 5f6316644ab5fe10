"""The discrete corpus's own cases graded end to end (every correct and every mistake file of every
exercise's corpus is graded by test_every_exercise.py)."""

from __future__ import annotations

from conftest import SUBMISSIONS, scores


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
