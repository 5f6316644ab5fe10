"""Feedback that says only true things (issue 17), graded end to end through the sandbox.

Each submission under tests/submissions/discrete/truthful/ (and a few of the corpus) once
got a false sentence or a wrong score: a loss that ignores its inputs scored
points for its form, NaN was called different from NaN, a (1,) loss lost the
learning check and was told "one entry per sample", a non-scalar loss was told
to use log_softmax, the seed proposal's 1e-9 gradient was not called zero, an
exception was quoted by the last row of the tensor it printed.
"""

from __future__ import annotations

import re

import pytest
from conftest import SUBMISSIONS

TRUTHFUL = SUBMISSIONS / "truthful"
MINUS_ZERO = re.compile(r"(?<![\w.])-0(?!\.?\d)")


def output_of(document: dict, rubric, key: str) -> str:
    title = rubric.exercise.parts[0].titles[key]
    return next(test["output"] for test in document["tests"] if test["name"].endswith(title))


def everything(document: dict) -> str:
    return "\n\n".join([document["output"], *(test["output"] for test in document["tests"])])


# --- 1: a loss that does not depend on the logits earns nothing -------------------------------


@pytest.mark.parametrize(
    "path, gradient",
    [
        (
            TRUTHFUL / "ignores_inputs_times_zero.py",
            "its gradient is exactly zero on every public case; no hidden case gave",
        ),
        (
            TRUTHFUL / "ignores_inputs_detached_constant.py",
            "it has no gradient (on every public case); no hidden case gave a gradient",
        ),
        (
            SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py",
            "its gradient is zero next to the reference's",
        ),
        (SUBMISSIONS / "mistakes/sum_over_actions_expected_q.py", "its gradient is zero next to the reference's"),
    ],
)
def test_loss_that_does_not_depend_on_the_logits_earns_no_points(grade, rubric, path, gradient):
    document = grade(path, learning=True)
    assert document["score"] == 0, [(t["name"], t["score"]) for t in document["tests"]]
    assert all(test["status"] == "failed" for test in document["tests"])
    interface = output_of(document, rubric, "interface")
    assert "Your loss does not depend on `logits`, so it cannot train and earns no points" in interface
    assert gradient in interface
    assert "with `logits` replaced by other values on public case seed" in interface.lower()


def test_constant_zero_is_named_no_mistake(grade):
    """sum_over_actions + normalized_inside also give 0: the simpler truth is what is said."""
    assert grade(TRUTHFUL / "ignores_inputs_times_zero.py", learning=False)["extra_data"]["mistakes"] == []


def test_zero_is_never_printed_as_minus_zero(grade):
    text = everything(grade(TRUTHFUL / "ignores_inputs_times_zero.py", learning=False))
    assert "got 0." in text and not MINUS_ZERO.search(text), MINUS_ZERO.findall(text)


def test_loss_outside_autograd_keeps_its_points_for_value_and_purity(grade, rubric):
    document = grade(SUBMISSIONS / "mistakes/not_differentiable_numpy.py", learning=False)
    got = {test["name"].split(". ", 1)[-1]: test["score"] for test in document["tests"]}
    assert (
        got[rubric.exercise.parts[0].titles["value"]] == 20 and got[rubric.exercise.parts[0].titles["purity"]] == 5
    ), got
    assert "does not depend on" not in everything(document)


# --- 2: NaN equals NaN; the purity text says what differed ------------------------------------


def test_nan_twice_is_pure(grade, rubric):
    document = grade(TRUTHFUL / "nan_everywhere.py", learning=False)
    purity = next(t for t in document["tests"] if t["name"].endswith(rubric.exercise.parts[0].titles["purity"]))
    assert purity["status"] == "passed", purity["output"]


def test_same_nan_loss_with_changing_gradient_is_told_as_such(grade, rubric):
    purity = output_of(grade(TRUTHFUL / "nan_loss_random_gradient.py", learning=False), rubric, "purity")
    assert "losses nan and nan" not in purity
    assert re.search(
        r"the same loss, nan, both times, but dL/dlogits\[0, \d\] was \S+ the first time and \S+ the second", purity
    ), purity


# --- 5 and 6: what a non-scalar loss is told, and that a (1,) loss trains ---------------------


def test_loss_of_shape_1_loses_only_the_interface_points_and_is_told_the_truth(grade, rubric):
    document = grade(SUBMISSIONS / "broken/returns_shape_1.py", learning=True)
    failed = [test for test in document["tests"] if test["status"] == "failed"]
    assert [test["name"].split(". ", 1)[-1] for test in failed] == [rubric.exercise.parts[0].titles["interface"]]
    assert document["score"] == sum(test["max_score"] for test in document["tests"]) - failed[0]["max_score"]
    text = everything(document)
    assert "shape (1,), a single number but not a 0-dim tensor" in text
    assert "One loss per sample" not in text and "`backward()` on a non-scalar tensor raises" not in text


def test_stability_advice_follows_from_the_cause(grade, rubric):
    per_sample = output_of(
        grade(SUBMISSIONS / "mistakes/not_scalar_per_sample.py", learning=False), rubric, "stability"
    )
    assert "got no single number but a tensor of shape (16,)" in per_sample, per_sample
    nan = output_of(grade(TRUTHFUL / "nan_everywhere.py", learning=False), rubric, "stability")
    assert "as it is on public case seed 1 (N=1, A=2), an ordinary case" in nan, nan
    for text in (per_sample, nan):
        assert rubric.exercise.parts[0].unstable_advice not in text
    unstable = output_of(
        grade(SUBMISSIONS / "mistakes/unstable_log_manual_softmax.py", learning=False), rubric, "stability"
    )
    assert rubric.exercise.parts[0].unstable_advice in unstable


# --- 8: "zero" next to the reference on the sampled-actions test ------------------------------


def test_seed_proposal_gradient_is_called_zero_on_sampled_actions(grade, rubric):
    document = grade(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py", learning=False)
    sampled = output_of(document, rubric, "sampled_actions")
    assert "your gradient is zero next to the reference's (its largest entry is" in sampled, sampled
    assert rubric.exercise.parts[0].sampled_not_zero in sampled


# --- 10: every sentence true of what the grader does ------------------------------------------


@pytest.mark.parametrize("name", ["normalized_inside_population_std.py", "unstable_log_categorical_probs.py"])
def test_no_text_claims_what_the_cases_do_not_do(grade, name):
    text = everything(grade(SUBMISSIONS / "mistakes" / name, learning=False))
    assert "already standardises" not in text and "infinite loss and NaN gradient" not in text


# --- 12, 13 and 14: the exception's first line, a block that closes, the terminal view ---------


def test_exception_is_quoted_by_its_type_and_first_line(grade):
    document = grade(TRUTHFUL / "raises_printing_tensor.py", learning=False)
    for test in document["tests"]:
        if test["output"].startswith("On public case"):
            assert "the function raised `ValueError: unexpected logits tensor(" in test["output"], test["output"]
            assert "raised `  " not in test["output"]  # a row of the printed tensor is not the error
    first = document["tests"][0]["output"]
    paragraphs = first.split("\n\n")
    assert paragraphs[0].endswith("their inputs are not shown).") and paragraphs[1].startswith("```")


def test_terminal_view_refers_to_the_earlier_test_instead_of_a_blank_body(grade):
    from grader.outputs.results import to_text

    text = to_text(grade(TRUTHFUL / "raises_printing_tensor.py", learning=False))
    blocks = re.split(r"^\[(?:PASS|FAIL)\] ", text, flags=re.M)[1:]
    assert all(len(block.strip().splitlines()) > 1 for block in blocks), text
    assert "(as under tests 1 and 2 above)" in text, text
