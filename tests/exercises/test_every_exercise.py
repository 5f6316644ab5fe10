"""Every exercise of assignment/exercises.json, held to the same tests: what the engine promises of
an exercise is checked here once, and an exercise added to the registry gets all of it without a
line written for it (as Gymnasium's check_env does for an environment).

Its corpus is tests/submissions/NAME/ with a manifest corpus.py: CORRECT (files every part of which
is right) and MISTAKES (file -> the catalog IDs the grade must name).
"""

from __future__ import annotations

import ast
import importlib
import json
import re
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPORA

from grader.course.rubric import mistake_titles
from grader.verbs.parts import weights_of

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = sorted(json.loads((ROOT / "assignment" / "exercises.json").read_text())["exercises"])
NUMBERS = re.compile(r"(expected loss|should be|the correct answer is) \[?-?\d")  # evidence, with its numbers
LAUNCHER = "selfcheck.py"  # the handout's entry point, which runs the engine's self-check


def _corpus(name: str):
    return importlib.import_module(f"submissions.{name}.corpus")


def _walkthroughs_of(name: str):
    from grader.checks.part import load_walkthroughs
    from grader.course import registry

    return load_walkthroughs(registry.folders(name)[0] / "exercise.py")


CORRECT = [(name, path) for name in EXERCISES for path in _corpus(name).CORRECT]
MISTAKES = [(name, path) for name in EXERCISES for path in sorted(_corpus(name).MISTAKES)]


@pytest.fixture(scope="module")
def grade(zygote):
    from grader.course import rubric
    from grader.verbs.grade import grade_safely

    def run(name: str, path: str) -> dict:
        return grade_safely(CORPORA / name / path, zygote, rubric.load_rubric(name), learning=False)

    return run


@pytest.mark.parametrize(("name", "path"), CORRECT)
def test_every_correct_file_gets_every_point_and_no_accusation(grade, name, path):
    document = grade(name, path)
    assert document["extra_data"]["mistakes"] == []
    failed = [test["name"] for test in document["tests"] if test["status"] != "passed"]
    assert not failed, failed
    assert document["score"] == sum(test["max_score"] for test in document["tests"])


@pytest.mark.parametrize(("name", "path"), MISTAKES)
def test_every_mistake_file_is_named_with_its_numbers(grade, name, path):
    document = grade(name, path)
    expected = _corpus(name).MISTAKES[path]
    assert set(document["extra_data"]["mistakes"]) == expected
    failing = [test["output"] for test in document["tests"] if test["status"] == "failed"]
    assert failing and document["score"] < sum(test["max_score"] for test in document["tests"])
    titles = mistake_titles(name)
    for mistake in expected:  # named by its title; the ID is for tools, in extra_data
        heading = re.compile(r"\*\*(Possibly: )?" + re.escape(titles[mistake]) + r"\*\*")  # look-alikes: possibly
        assert any(heading.search(output) for output in failing), mistake
        assert not any(f"`{mistake}`" in output for output in failing)
    assert any(NUMBERS.search(output) for output in failing), failing[0]
    for part, found in document["extra_data"].get("parts", {}).items():  # the mistake costs its own part only
        assert (found["score"] < found["max_score"]) == bool(found["mistakes"]), (part, found)


def _grader_imports(path: Path) -> set:
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "grader":
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name.split(".")[0] == "grader")
    return found


@pytest.mark.parametrize("name", EXERCISES)
def test_an_exercise_imports_nothing_of_the_engine_but_the_author_module(name):
    files = [*(ROOT / "assignment" / name).glob("*.py"), *(ROOT / "reference" / name).rglob("*.py")]
    wrong = {f"{p.relative_to(ROOT)}: {sorted(_grader_imports(p))}" for p in files if p.name != LAUNCHER}
    assert all(not _grader_imports(p) - {"grader.author"} for p in files if p.name != LAUNCHER), wrong


@pytest.mark.parametrize("name", EXERCISES)
def test_catalog_ids_are_unique_across_parts_and_every_entry_is_named_in_process(name):
    """Each catalog entry's own implementation, checked in this process on the public cases, is named."""
    from grader.calling.oracle import LocalOracle
    from grader.checks.assessment import assess
    from grader.course import rubric

    graded = rubric.load_rubric(name, public_only=True)
    ids = [m.id for part in graded.parts for m in rubric.solution(name, part.function).catalog]
    assert len(ids) == len(set(ids)), ids
    unnamed = []
    for part in graded.parts:
        held = rubric.solution(name, part.function)
        weights = weights_of(part, learning=False)
        for mistake in held.catalog:
            oracle = LocalOracle(mistake.function, part.part.contract)
            result = assess(
                oracle, part.part, part.cases, weights, lambda function=part.function: rubric.suspects(name, function)
            )
            twins = set().union(*(group for group in held.same_numbers if mistake.id in group))
            if mistake.id not in result.mistakes and not twins & set(result.mistakes):
                unnamed.append(f"{part.function}: {mistake.id} named {result.mistakes}")
    assert not unnamed, unnamed


@pytest.mark.parametrize("name", EXERCISES)
def test_the_reference_passes_every_check_on_every_case(name):
    from grader.calling.oracle import LocalOracle
    from grader.checks.assessment import assess
    from grader.course import rubric

    graded = rubric.load_rubric(name)
    for part in graded.parts:
        weights = weights_of(part, learning=False)
        oracle = LocalOracle(rubric.solution(name, part.function).reference, part.part.contract)
        result = assess(
            oracle, part.part, part.cases, weights, lambda function=part.function: rubric.suspects(name, function)
        )
        assert all(check.passed for check in result.checks), [c.output for c in result.checks if not c.passed]
        assert not result.mistakes


def test_a_meaning_for_an_observation_the_engine_never_makes_is_refused():
    """A misspelt key of Diagnostics.meanings would drop its sentence silently: the part refuses it."""
    import dataclasses

    from grader.course import rubric

    part = rubric.exercise("discrete").parts[0]
    assert part.diagnostics is not None and "ratio N" in part.diagnostics.meanings
    misspelt = dict(part.diagnostics.meanings, **{"ratio  N": "a sum over the batch"})
    with pytest.raises(ValueError, match=r"\['ratio  N'\]"):
        dataclasses.replace(part, diagnostics=dataclasses.replace(part.diagnostics, meanings=misspelt))


# --- the walk-through (`explain`) of every exercise that has one ------------------------------------
WALKED = [name for name in EXERCISES if _walkthroughs_of(name)]


@pytest.mark.parametrize("name", WALKED)
def test_the_walkthrough_numbers_are_the_references(name):
    """Each part's steps end in what the reference gives on their batch, and the reference's answer
    reads as matching every step (a loss's gradients too)."""
    from grader.calling.answer import Answer
    from grader.calling.oracle import LocalOracle
    from grader.course import rubric

    for walkthrough in _walkthroughs_of(name):
        contract = rubric.exercise(name).part(walkthrough.function).contract
        reference = rubric.solution(name, walkthrough.function).reference
        answer = LocalOracle(reference, contract).call(*walkthrough.arrays)
        assert isinstance(answer, Answer) and answer.value is not None, walkthrough.function
        expected = np.asarray(walkthrough.answer, np.float64)
        np.testing.assert_allclose(answer.value.reshape(expected.shape), expected, atol=walkthrough.tolerance)
        assert walkthrough.named(answer) is None
        said = walkthrough.compare(answer, {})
        assert said.splitlines()[-1].startswith("   Yours matches at every step"), said


@pytest.fixture(scope="module")
def walked(zygote):
    """The turn each walk-through names for a corpus file's function of its part (None: none), by part."""
    from grader.calling.answer import Answer
    from grader.verbs.explain import sandboxed_outcomes

    def run(name: str, path: str) -> dict:
        _, answered = sandboxed_outcomes(CORPORA / name / path, zygote, name)
        return {
            walkthrough.function: walkthrough.named(outcome) if isinstance(outcome, Answer) else None
            for walkthrough, outcome in answered
        }

    return run


@pytest.mark.parametrize(("name", "path"), [(n, p) for n, p in MISTAKES if n in WALKED])
def test_the_walkthrough_names_the_graders_mistake_or_none(walked, name, path):
    """The manifest's mistakes are the grader's (test_every_mistake_file_is_named_with_its_numbers)."""
    expected = _corpus(name).MISTAKES[path]
    named = {part: turn.mistakes for part, turn in walked(name, path).items() if turn is not None}
    assert all(set(mistakes) & expected for mistakes in named.values()), (named, expected)


@pytest.mark.parametrize(("name", "path"), [(n, p) for n, p in CORRECT if n in WALKED])
def test_the_walkthrough_names_nothing_in_a_correct_file(walked, name, path):
    named = walked(name, path)
    assert named and all(turn is None for turn in named.values()), named
