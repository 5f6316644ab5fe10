"""The self-check's terminal report, sized for a beginner, on every catalogued mistake of every
exercise of the registry that has a corpus (tests/submissions/NAME/corpus.py): what is wrong and
what to change before any check; every line at most 100 columns; a passed check one line and never
shown as failed; no catalog ID (those are in `--json`'s extra_data).

The bound on length: one named mistake's report holds the lead (score, what is wrong, what to
change, why it scores nothing), one line per check, the diagnosis's explanation and its evidence
with numbers once, and at most six lines for each further failing check, which says only its
first failing case and refers to the diagnosis above. The longest today, a broadcast error with its
traceback, is 60 lines; a 25-line bound would cut the explanation and evidence the student learns
from, so LINES bounds each piece instead, and the whole at 65."""

from __future__ import annotations

import importlib
import json
import re
from pathlib import Path
from typing import List, Tuple

import pytest
from conftest import CORPORA

from grader.checks.dependence import PASSED_ALONE
from grader.course import registry, rubric
from grader.verbs import public_data, selfcheck
from grader.verbs.terminal import WIDTH, report

LINES = 65  # one named mistake, whole report
LEAD_LINES = 16  # before the first check: the score, what is wrong and what to change, why it scores nothing,
PART_LINES = 3  # the hidden cases; and for each further part of several, its score line,
MISTAKE_LINES = 2  # and for each further mistake, its title and what to change for it
FURTHER_FAILED_LINES = 6  # a failing check after the one that shows the diagnosis: its first failing case (an error
# raised quotes its message, up to 4 lines) and a reference to the diagnosis above
EXERCISES = [name for name in registry.names() if (CORPORA / name / "corpus.py").is_file()]
_CHECK = re.compile(r"\[(PASS|FAIL)\] ")  # a check's first line
_FILE_LINE = re.compile(r'File "[^"]*"')  # a traceback names the student's file, whose name may hold an ID


def mistake_files(exercise: str) -> List[Tuple[str, frozenset]]:
    corpus = importlib.import_module(f"submissions.{exercise}.corpus")
    return sorted(corpus.MISTAKES.items())


@pytest.fixture(scope="module", params=EXERCISES)
def exercise(request, tmp_path_factory) -> Tuple[str, public_data.PublicData]:
    name = request.param
    path = public_data.write_public_data(tmp_path_factory.mktemp(name) / "public_data.npz", name)
    return name, public_data.load_public_data(path, rubric.exercise(name))


def test_every_mistake_report_leads_with_the_change_and_fits_a_terminal(exercise):
    name, data = exercise
    ids = {key for part in data.parts for key in part.catalog if "_" in key}  # a plain word may be prose
    assert mistake_files(name), name
    for file, mistakes in mistake_files(name):
        module = selfcheck.import_file(CORPORA / name / file)
        document = selfcheck.check_functions({f: getattr(module, f, None) for f in data.exercise.functions}, data)
        text = report(document)
        lines = text.splitlines()
        where = f"{name}/{file}"
        assert max(len(line) for line in lines) <= WIDTH, (where, max(lines, key=len))
        first_check = next(i for i, line in enumerate(lines) if _CHECK.match(line))
        lead = "\n".join(lines[:first_check])
        assert re.search(r"What is wrong: .*\n\nWhat to change:\s", lead, re.S), (where, lead)
        more = PART_LINES * (len(data.parts) - 1) + MISTAKE_LINES * (len(mistakes) - 1)
        assert first_check <= LEAD_LINES + more, (where, lead)
        assert not ids & set(re.findall(r"\w+", _FILE_LINE.sub("", text))), where
        flat = " ".join(text.split())
        for mistake in mistakes:  # what to change, as the catalog words it: code spans whole (`gamma ** t`)
            change = next(part.catalog[mistake].change for part in data.parts if mistake in part.catalog)
            assert " ".join(change.split()) in flat, (where, change)
        _assert_checks_shown_as_they_ran(document["tests"], lines[first_check:], where)
        if len(mistakes) == 1:
            assert len(lines) <= LINES, (where, len(lines))


def _assert_checks_shown_as_they_ran(tests: List[dict], lines: List[str], where: str) -> None:
    """Every check once, in order, PASS when it passed (alone: zeroed since the loss cannot train)
    and then as one line; every failing check after the first that explains is short."""
    heads = [i for i, line in enumerate(lines) if _CHECK.match(line)]
    assert len(heads) == len(tests), where
    explained = False
    for test, start, end in zip(tests, heads, heads[1:] + [len(lines)]):
        passed = test["status"] == "passed" or PASSED_ALONE in test.get("output", "")
        assert lines[start].startswith(f"[{'PASS' if passed else 'FAIL'}] {test['name'][:20]}"), (where, lines[start])
        body = lines[start + 1 : end]
        if passed:
            assert len(body) <= 1 and all(line.rstrip().endswith(")") for line in body), (where, lines[start:end])
        elif explained and "as under test" in body[-1]:
            assert len(body) <= FURTHER_FAILED_LINES, (where, lines[start:end])
        explained = explained or not passed


def test_json_keeps_the_ids_the_report_leaves_out(exercise, capsys, monkeypatch):
    """`--json` is for tools: it names the mistake by its catalog ID."""
    name, data = exercise
    file, mistakes = mistake_files(name)[0]
    monkeypatch.setattr(selfcheck, "load_public_data", lambda: data)
    selfcheck.main([str(CORPORA / name / file), "--json"])
    assert set(json.loads(capsys.readouterr().out)["extra_data"]["mistakes"]) >= set(mistakes), (name, file)


def test_the_exercises_here_are_the_registrys():
    assert {"discrete", "gaussian", "returns"} <= set(EXERCISES) and Path(CORPORA).is_dir()
