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
from markdown_it import MarkdownIt

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


def _learning_checks() -> list:
    """(exercise, function, check key) of every learning check, each trainer and function once
    (a composite's parts train as their own exercise's do)."""
    from grader.course import rubric

    found, seen = [], set()
    for name in EXERCISES:
        for part in rubric.exercise(name).parts:
            for check in part.learnings:
                trainer = rubric.solution(name, part.function).trainer(check)
                if (trainer, part.function) not in seen:
                    seen.add((trainer, part.function))
                    found.append((name, part.function, check.key))
    return found


@pytest.mark.slow
@pytest.mark.parametrize(("name", "function", "key"), _learning_checks())
def test_the_reference_passes_every_learning_check_on_the_grading_seeds(name, function, key):
    """Trained with the references alone (the part's and its partners', where the exercise has
    them), every learning check passes on every grading seed."""
    from grader.calling.oracle import LocalOracle
    from grader.course import rubric
    from grader.learning.check import check_learning, partners_of, trainer

    spec = rubric.exercise(name)
    part = spec.part(function)
    check = next(check for check in part.learnings if check.key == key)
    learning = trainer(rubric.solution(name, function).trainer(check))
    partners = {
        other: (LocalOracle(rubric.solution(name, other).reference, spec.part(other).contract), spec.part(other))
        for other in partners_of(learning)
        if other in spec.functions
    }
    reference = LocalOracle(rubric.solution(name, function).reference, part.contract)
    result, extra = check_learning(reference, part, check, learning, 1.0, partners=partners)
    assert result.passed, result.output
    assert [run["seed"] for run in extra[key]["runs"]] == list(learning.GRADING_SEEDS)


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


# The handout's own self-check over files given as arguments, each in a forked copy (no file changes
# the next one's torch), run from the handout's folder: its grader, not this tree's. Prints, as JSON,
# each file's exit code and its `--json` document.
_SELF_CHECK_EACH = """
import contextlib, io, json, os, signal, sys
from pathlib import Path
from grader import __file__ as engine
assert Path(engine).resolve().is_relative_to(Path.cwd().resolve()), engine
from grader.verbs import selfcheck
data = selfcheck.load_public_data()  # read once for the whole corpus
selfcheck.load_public_data = lambda: data
answers = {}
for path in sys.argv[1:]:
    read, write = os.pipe()
    if os.fork() == 0:
        os.close(read)
        signal.alarm(120)
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = selfcheck.main([path, "--json"])
        with os.fdopen(write, "w") as pipe:
            json.dump({"code": code, "printed": printed.getvalue()}, pipe)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as pipe:
        text = pipe.read()
    os.wait()
    answers[path] = json.loads(text) if text else {"code": "no answer"}
print(json.dumps(answers))
"""


@pytest.fixture(scope="module")
def self_checked(tmp_path_factory):
    """Each exercise's handout, built once and unzipped into an empty folder, and its self-check's
    answer on every correct and mistake file of the corpus (a notebook: the grader's extract of it,
    as a .py file, since the self-check takes .py files and a notebook checks itself in its cell)."""
    import subprocess
    import sys
    import zipfile

    from grader import package
    from grader.contract import SUBMISSION_FILE
    from grader.course import rubric
    from grader.submission.load import load_submission

    def run(name: str) -> dict:
        folder = tmp_path_factory.mktemp(f"{name}_handout")
        with zipfile.ZipFile(package.handout(tmp_path_factory.mktemp(name) / "handout.zip", name)) as archive:
            archive.extractall(folder)
        files = {}
        for path in [*_corpus(name).CORRECT, *_corpus(name).MISTAKES]:
            files[path] = CORPORA / name / path
            if path.endswith(".ipynb"):
                functions = rubric.exercise(name).functions
                source = load_submission(CORPORA / name / path, functions[0], also=functions[1:]).files[SUBMISSION_FILE]
                files[path] = folder.parent / f"{name}_{Path(path).stem}.py"
                files[path].write_text(source)
        finished = subprocess.run(
            [sys.executable, "-c", _SELF_CHECK_EACH, *map(str, files.values())],
            cwd=folder,
            capture_output=True,
            text=True,
            timeout=600,
            env={"PATH": "/usr/bin:/bin"},
        )
        assert finished.returncode == 0, finished.stderr
        answers = json.loads(finished.stdout)
        return {path: answers[str(file)] for path, file in files.items()}

    return {name: run(name) for name in EXERCISES}


@pytest.mark.parametrize("name", EXERCISES)
def test_the_handouts_self_check_agrees_with_the_grader_on_the_corpus(self_checked, name):
    """From the built handout: every correct file passes, every mistake file is named as the grader
    names it (the manifest), with each mistake's change in the lead."""
    catalog, wrong = _catalog(name), []
    for path, answer in self_checked[name].items():
        if "printed" not in answer:
            wrong.append(f"{path}: {answer}")
            continue
        document = json.loads(answer["printed"])
        named = set(document["extra_data"]["mistakes"])
        expected = _corpus(name).MISTAKES.get(path, frozenset())
        failed = [test["name"] for test in document["tests"] if test["status"] != "passed"]
        if named != expected or bool(failed) != bool(expected) or answer["code"] != (1 if expected else 0):
            wrong.append(f"{path}: named {sorted(named)}, failed {failed}, exit {answer['code']}")
        elif not all(catalog[m].change in document["output"] for m in expected):
            wrong.append(f"{path}: the lead lacks a change: {document['output']}")
    assert not wrong, "\n".join(wrong)
