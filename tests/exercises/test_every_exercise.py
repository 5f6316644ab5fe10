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

import pytest
from conftest import CORPORA
from markdown_it import MarkdownIt

ROOT = Path(__file__).resolve().parents[2]
EXERCISES = sorted(json.loads((ROOT / "assignment" / "exercises.json").read_text())["exercises"])
NUMBERS = re.compile(r"(expected loss|should be|the correct answer is) \[?-?\d")  # evidence, with its numbers
LAUNCHER = "selfcheck.py"  # the handout's entry point, which runs the engine's self-check


def _corpus(name: str):
    return importlib.import_module(f"submissions.{name}.corpus")


CORRECT = [(name, path) for name in EXERCISES for path in _corpus(name).CORRECT]
MISTAKES = [(name, path) for name in EXERCISES for path in sorted(_corpus(name).MISTAKES)]


@pytest.fixture(scope="module")
def grade(zygote):
    from grader.course import rubric
    from grader.verbs.grade import grade_safely

    def run(name: str, path: str) -> dict:
        return grade_safely(CORPORA / name / path, zygote, rubric.load(name), learning=False)

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
    catalog = _catalog(name)
    for mistake in expected:  # named by its title; the ID is for tools, in extra_data
        assert any(_change_after_title(output, catalog[mistake]) for output in failing), mistake
        assert catalog[mistake].change in document["output"], mistake  # the lead says it too
        assert not any(f"`{mistake}`" in output for output in failing)
    assert any(NUMBERS.search(output) for output in failing), failing[0]
    for part, found in document["extra_data"].get("parts", {}).items():  # the mistake costs its own part only
        assert (found["score"] < found["max_score"]) == bool(found["mistakes"]), (part, found)


def _catalog(name: str) -> dict:
    """Every part's catalog of the exercise, by mistake ID (the IDs are unique across parts)."""
    from grader.course import rubric

    return {m.id: m for function in rubric.exercise(name).functions for m in rubric.solution(name, function).catalog}


def _change_after_title(feedback: str, mistake) -> bool:
    """Whether the feedback, rendered as Gradescope does, heads a paragraph with the mistake's title
    and follows it with its change: as fact, or as a possibility under a "Possibly:" title."""
    paragraphs = [token.content for token in MarkdownIt("commonmark").parse(feedback) if token.type == "inline"]
    follows = {
        f"**{mistake.title}**": f"What to change: {mistake.change}",
        f"**Possibly: {mistake.title}**": f"If it is this one, change this: {mistake.change}",
    }
    return any(follows.get(first) == then for first, then in zip(paragraphs, paragraphs[1:]))


@pytest.mark.parametrize("name", EXERCISES)
def test_every_catalog_entry_says_in_one_line_what_to_change(name):
    catalog = _catalog(name)
    long = {
        key: m.change for key, m in catalog.items() if not m.change.strip() or "\n" in m.change or len(m.change) > 120
    }
    assert not long, long
    changes = [m.change for m in catalog.values()]
    assert len(set(changes)) == len(changes), "two mistakes of one exercise with the same change"


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

    graded = rubric.load(name, public_only=True)
    ids = [m.id for part in graded.parts for m in rubric.solution(name, part.function).catalog]
    assert len(ids) == len(set(ids)), ids
    unnamed = []
    for part in graded.parts:
        held = rubric.solution(name, part.function)
        weights = {k: w for k, w in part.weights.items() if not part.part.learning or k != part.part.learning.key}
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

    graded = rubric.load(name)
    for part in graded.parts:
        weights = {k: w for k, w in part.weights.items() if not part.part.learning or k != part.part.learning.key}
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
