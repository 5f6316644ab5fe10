"""Shared fixtures. The zygote is forked here, at import, before any test module
imports the reference solution or the mistake catalog (the sandbox refuses to
fork a zygote that could carry them)."""

from __future__ import annotations

from pathlib import Path

import pytest
from rendered import document_problems

from grader.sandbox.parent import Zygote

ZYGOTE = Zygote.start()
CORPORA = Path(__file__).parent / "submissions"  # one corpus per exercise, tests/submissions/NAME
SUBMISSIONS = CORPORA / "discrete"  # the default exercise's


@pytest.fixture(scope="session")
def zygote() -> Zygote:
    return ZYGOTE


def pytest_unconfigure(config):
    ZYGOTE.close()


@pytest.fixture(scope="session")
def rubric():
    from grader.course import rubric as rubric_module

    return rubric_module.load_rubric("discrete")


@pytest.fixture(scope="session")
def grade(zygote, rubric):
    """Grade a submission file or folder as the CLI does; returns the results.json dict, whose
    every feedback text must render as written (tests/rendered.py)."""
    from grader.verbs.grade import grade_safely

    def run(path, **options):
        document = grade_safely(Path(path), zygote, rubric, **options)
        assert not document_problems(document), document_problems(document)
        return document

    return run


def scores(document: dict) -> dict:
    """Test name without its number -> score, for readable assertions."""
    return {test["name"].split(". ", 1)[-1]: test["score"] for test in document["tests"]}


def batch_row(**fields) -> dict:
    """One row as batch.row_of makes it: a "not graded" entry, with the given fields changed."""
    row = {
        "entry": "ok.py",
        "name": "",
        "email": "",
        "sid": "",
        "people": [],
        "submitted": "",
        "status": "not graded",
        "score": 0.0,
        "max_score": 100.0,
        "tests": [],
        "mistakes": [],
        "seconds": 0.0,
        "reason": "",
        "learning": None,
    }
    row.update(fields)
    return row
