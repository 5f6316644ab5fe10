"""What a student meets first: which file is graded, torch.compile, their own file's name in
tracebacks, and a summary that starts with what is wrong."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from conftest import SUBMISSIONS, scores

from grader.checks.assessment import first_sentence
from grader.course import registry, rubric
from grader.submission.extract import extract
from grader.submission.load import load_submission
from grader.submission.stub import has_work, is_stub

EXERCISE = "discrete"
PUBLIC = registry.folders(EXERCISE)[0]
STUB_FILE = PUBLIC / rubric.exercise(EXERCISE).stub_file
STUB = STUB_FILE.read_text()
UPLOADS = SUBMISSIONS / "uploads"


def full_marks(document: dict) -> bool:
    return (
        document["score"] == sum(t["max_score"] for t in document["tests"]) and not document["extra_data"]["mistakes"]
    )


# --- the stub is never graded while another file has the work -----------------------------------


def test_upload_copies_of_the_stub_are_the_handouts():
    for folder in UPLOADS.iterdir():
        if folder.is_dir():
            assert is_stub((folder / STUB_FILE.name).read_text(), "pseudo_loss", STUB), (
                f"copy {STUB_FILE} into {folder}"
            )
    notebook = UPLOADS / "handout_with_my_solution" / "pseudo_loss.ipynb"
    assert is_stub(extract(notebook, "pseudo_loss")[0], "pseudo_loss", STUB)


@pytest.mark.parametrize(
    "folder, graded",
    [("handout_with_my_solution", "my_solution.py"), ("handout_with_notebook_work", "pseudo_loss.ipynb")],
)
def test_uploaded_handout_folder_grades_the_work_not_the_stub(grade, folder, graded):
    document = grade(UPLOADS / folder, learning=False)
    assert full_marks(document), scores(document)
    extra = document["extra_data"]
    assert extra["graded_file"] == graded
    assert extra["graded_why"] == f"pseudo_loss.py is the handout's stub, unchanged; {graded} defines pseudo_loss"
    assert (
        f"Graded `{graded}`, not `pseudo_loss.py`: `pseudo_loss.py` is the handout's stub, unchanged"
        in document["output"]
    )


def test_the_stub_alone_is_graded_and_called_the_stub(grade):
    document = grade(STUB_FILE, learning=False)
    assert document["score"] == 0
    assert "`pseudo_loss.py` is the handout's stub, unchanged" in document["output"]
    assert document["extra_data"]["graded_why"] == "the file handed in; it is the handout's stub, unchanged"


def test_a_folder_with_only_the_stub_grades_the_stub(tmp_path):
    (tmp_path / "pseudo_loss.py").write_text(STUB)
    (tmp_path / "notes.py").write_text("LEARNING_RATE = 1e-2\n")  # defines no pseudo_loss: not work
    source = load_submission(tmp_path, "pseudo_loss", STUB)
    assert source.graded.name == "pseudo_loss.py" and "stub, unchanged" in source.why


def test_stub_comparison_ignores_formatting_but_not_work():
    reformatted = "# my notes\n" + STUB.replace("import torch\n", "import torch  # the library\n\n")
    assert is_stub(reformatted, "pseudo_loss", STUB)
    filled = STUB.replace('raise NotImplementedError("implement pseudo_loss")', "return logits.sum() * 0")
    assert has_work(filled, "pseudo_loss", STUB) and not is_stub(filled, "pseudo_loss", STUB)
    rebound = STUB + "\n\npseudo_loss = torch.compile(pseudo_loss)\n"  # the stub's def, then bound again
    assert has_work(rebound, "pseudo_loss", STUB)
    assert not has_work("import torch\n", "pseudo_loss", STUB) and not is_stub("x = (", "pseudo_loss", STUB)


# --- torch.compile ------------------------------------------------------------------------------


def test_torch_compile_gets_full_marks_in_the_sandbox(grade):
    document = grade(SUBMISSIONS / "correct/torch_compile_decorator.py")  # learning check included
    assert full_marks(document), scores(document)
    assert scores(document)["Trains a CartPole-v1 policy"] == 15


# --- the student's own file, and what is wrong first ---------------------------------------------


def test_tracebacks_name_the_students_own_file(grade):
    document = grade(SUBMISSIONS / "careless/raises_in_helper.py", learning=False)
    outputs = [document["output"]] + [t["output"] for t in document["tests"]]
    assert not any("submission.py" in text for text in outputs)
    interface = document["tests"][0]["output"]
    assert re.search(r'File "raises_in_helper\.py", line 13, in pseudo_loss', interface), interface
    assert 'File "raises_in_helper.py", line 9, in check_shapes' in interface


def test_summary_of_a_named_mistake_starts_with_what_is_wrong(grade):
    document = grade(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py", learning=False)
    summary = document["output"].split("\n\n")[1]
    assert (
        summary.startswith("What is wrong: Probabilities of all actions times q") and "sum_over_actions" not in summary
    )
    assert "Failed: " not in document["output"]  # the failed tests follow it: no list repeating their titles
    assert document["extra_data"]["mistakes"] == ["sum_over_actions"]


def test_summary_without_a_named_mistake_starts_with_the_first_failure(grade):
    document = grade(SUBMISSIONS / "careless/raises_in_helper.py", learning=False)
    summary = document["output"].split("\n\n")[1]
    assert summary == (
        "What is wrong: On public case seed 1 (N=1, A=2): the function raised `ValueError: expected 2 rows, got 1`."
    )


def test_first_sentence_stops_outside_code_only():
    assert first_sentence("Expected 1.5, got 2. Then more.") == "Expected 1.5, got 2."
    assert first_sentence("raised `a. b` here. More") == "raised `a. b` here."
    assert first_sentence("no period\nsecond line") == "no period."


def test_notebook_of_the_upload_is_a_real_notebook():
    notebook = nbformat.read(UPLOADS / "handout_with_notebook_work" / "pseudo_loss.ipynb", as_version=4)
    nbformat.validate(notebook)
    assert has_work(
        extract(Path(UPLOADS / "handout_with_notebook_work" / "pseudo_loss.ipynb"), "pseudo_loss")[0],
        "pseudo_loss",
        STUB,
    )


def test_the_stub_of_an_older_handout_is_still_the_stub():
    older = STUB.replace(
        '"""Minus the policy gradient', '"""An older handout\'s docstring.\n\n    Minus the policy gradient', 1
    )
    assert older != STUB and is_stub(older, "pseudo_loss", STUB)
