"""Odd results and odd exceptions, graded end to end through the sandbox (the `grade` fixture).

Each submission is student input that once became an "Autograder error" (0/0,
no feedback) or a misleading message: an empty, complex, bool, int, 70-dim or
2**40-element result; an exception with no class name, one whose str() raises
or is not a str, an exit code that cannot be printed. Each must get a normal
result with a message that says what came back. The files' docstrings say what
must happen; broken/cases.py lists the interface message of each odd result.
"""

from __future__ import annotations

import pytest
from conftest import SUBMISSIONS, scores
from submissions.discrete.broken.cases import ODD_RESULTS

from grader.course import rubric
from grader.text import escaped

TITLES = rubric.exercise("discrete").parts[0].titles

BROKEN = SUBMISSIONS / "broken"
HOSTILE = SUBMISSIONS / "hostile"


def output_of(document: dict, key: str) -> str:
    return next(test["output"] for test in document["tests"] if test["name"].endswith(TITLES[key]))


def assert_graded(document: dict, status: str = "graded") -> None:
    assert document["extra_data"]["status"] == status, document["extra_data"].get("grader_fault")


def total(document: dict) -> float:
    return sum(test["max_score"] for test in document["tests"])


@pytest.fixture(scope="module")
def odd(grade):
    """Each odd result graded once, without the CartPole check."""
    documents = {}

    def graded(name: str) -> dict:
        if name not in documents:
            documents[name] = grade(BROKEN / name, learning=False)
        return documents[name]

    return graded


@pytest.mark.parametrize("name", sorted(ODD_RESULTS))
def test_odd_result_is_graded_with_what_came_back(odd, name):
    document = odd(name)
    assert_graded(document)
    assert scores(document)[TITLES["interface"]] == 0
    assert ODD_RESULTS[name] in output_of(document, "interface")
    assert document["score"] < total(document)
    # The function is deterministic: no feedback may say it answered differently twice.
    assert "different answers" not in output_of(document, "purity")


@pytest.mark.parametrize("name", ["returns_empty_tensor.py", "returns_shape_0.py"])
def test_empty_result_earns_nothing_and_is_not_called_one_loss_per_sample(odd, name):
    document = odd(name)
    assert document["score"] == 0, scores(document)
    assert document["extra_data"]["mistakes"] == []
    assert "returned no number to compare" in output_of(document, "purity")
    assert "no single number" in output_of(document, "value")


@pytest.mark.parametrize("name", ["returns_complex.py", "returns_huge_view.py"])
def test_result_with_no_real_number_is_not_called_impure(odd, name):
    document = odd(name)
    assert document["score"] == 0, scores(document)
    assert "returned no number to compare" in output_of(document, "purity")


@pytest.mark.parametrize("name", ["returns_shape_1.py", "returns_many_dims.py"])
def test_right_number_in_a_non_scalar_shape_loses_only_the_interface_points(odd, name):
    document = odd(name)
    got = scores(document)
    interface = next(test for test in document["tests"] if test["name"].endswith(TITLES["interface"]))
    assert document["score"] == total(document) - interface["max_score"], got
    assert all(
        test["status"] == "passed" for test in document["tests"] if not test["name"].endswith(TITLES["interface"])
    ), got
    assert document["extra_data"]["mistakes"] == ["not_scalar"]
    assert "broke the protocol" not in document["output"] + output_of(document, "interface")


@pytest.mark.parametrize("name", ["returns_bool.py", "returns_int.py"])
def test_non_float_result_has_no_gradient(odd, name):
    document = odd(name)
    got = scores(document)
    assert got[TITLES["value"]] == 0 and got[TITLES["gradient"]] == 0, got
    assert "there is no gradient with respect to logits" in output_of(document, "gradient")


@pytest.mark.parametrize(
    "name, raised, line",
    [
        (
            "nameless_exception.py",
            "an exception of a class with no name",
            "line 21, in pseudo_loss\n    raise Nameless()",
        ),
        ("exception_str_raises.py", "submission.Unprintable: <exception str() failed>", "line 18, in pseudo_loss"),
        ("exception_str_not_str.py", "submission.NotText: <exception str() failed>", "line 14, in pseudo_loss"),
    ],
)
def test_odd_exception_is_graded_zero_saying_what_was_raised_and_where(grade, name, raised, line):
    document = grade(HOSTILE / name, learning=False)
    assert_graded(document)
    assert document["score"] == 0, scores(document)
    for test in document["tests"]:
        assert test["status"] == "failed"
        assert f"the function raised `{raised}" in test["output"], test["output"]
        assert line in test["output"], test["output"]


@pytest.mark.parametrize(
    "name, message",
    [
        ("nameless_exception_at_import.py", "importing it failed: an exception of a class with no name (line 19)"),
        ("exit_with_unprintable_code.py", "the submission called sys.exit(<unprintable>) while being imported"),
    ],
)
def test_odd_exception_at_import_is_named_in_the_message(grade, name, message):
    document = grade(HOSTILE / name, learning=False)
    assert_graded(document, "not graded")
    assert document["score"] == 0
    said = escaped(message)  # the child's words are text in Markdown: its < is escaped
    assert said in document["output"]
    assert all(said in test["output"] for test in document["tests"])
