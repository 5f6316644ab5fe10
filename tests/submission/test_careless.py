"""Careless uploads (tests/submissions/discrete/careless/): correct work handed in carelessly is graded, not zeroed.

Each case is graded end to end with the `grade` fixture; what is too large to
commit is written into tmp_path by tests/submissions/discrete/careless/make.py.
"""

from __future__ import annotations

import ast
import shutil

import pytest
from conftest import SUBMISSIONS, scores
from submissions.discrete.careless import make

from grader.contract import SUBMISSION_FILE
from grader.course import rubric
from grader.submission.helpers import helpers
from grader.submission.listing import MAX_LOOKED_AT
from grader.submission.load import LoadError, load_submission
from grader.submission.locate import locate

FUNCTION = rubric.exercise("discrete").parts[0].contract.function
CARELESS = SUBMISSIONS / "careless"


def full_marks(document: dict) -> bool:
    return document["score"] == sum(test["max_score"] for test in document["tests"]) and all(
        test["status"] == "passed" for test in document["tests"]
    )


# --- (a) large data modules beside the code: only the graded file and what it imports are parsed ------


def test_data_modules_beside_the_code_are_neither_parsed_nor_sent(grade, tmp_path, monkeypatch):
    folder = make.data_modules_beside(tmp_path / "upload")
    parsed = []
    parse = ast.parse
    monkeypatch.setattr(
        ast, "parse", lambda source, *args, **kw: parsed.append(len(source)) or parse(source, *args, **kw)
    )
    located = locate(folder, FUNCTION)
    chosen, why = located.entry, located.why
    modules, notes = helpers(chosen, chosen.read_text())
    monkeypatch.undo()
    assert (chosen.name, why) == ("hw2.py", f"defines {FUNCTION}")
    assert set(modules) == {"policy_utils.py"} and notes == []
    assert max(parsed) < 2_000  # hw2.py and policy_utils.py, never a 1.9 MB data module
    source = load_submission(folder, FUNCTION)
    assert set(source.files) == {SUBMISSION_FILE, "policy_utils.py"}
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert document["extra_data"]["graded_file"] == "hw2.py"


# --- (b) the function bound by an assignment -----------------------------------------------------------


def test_an_assignment_to_the_function_picks_its_file_over_a_helper(grade):
    folder = CARELESS / "compiled_beside_helper"
    source = load_submission(folder, FUNCTION)
    assert (source.graded.name, source.why) == ("solution.py", f"defines {FUNCTION}")
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert "Graded `solution.py` (of 2 Python files and notebooks in the folder)." in document["output"]


def test_an_assignment_to_the_function_in_a_notebook_is_kept(grade):
    path = CARELESS / "compiled_in_notebook.ipynb"
    source = load_submission(path, FUNCTION)
    assert f"{FUNCTION} = torch.compile(_{FUNCTION})" in source.files[SUBMISSION_FILE]
    assert "train_step" not in source.files[SUBMISSION_FILE]
    document = grade(path, learning=False)
    assert full_marks(document), scores(document)
    assert "cell 4: line 1 `for step in range(1000): ...` (a loop)" in document["output"]


# --- (c) tens of thousands of files beside the code ----------------------------------------------------


def test_code_beside_tens_of_thousands_of_files_is_found(grade, tmp_path):
    folder = make.code_beside_runs(tmp_path / "upload")
    source = load_submission(folder, FUNCTION)
    assert source.graded == folder / "code" / "hw2" / f"{FUNCTION}.py"
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)


def test_a_listing_cut_short_never_says_the_folder_has_no_python_file(grade, tmp_path):
    folder = make.files(tmp_path / "upload" / "data", MAX_LOOKED_AT + 1_000, "frame_{:06d}.png").parent
    with pytest.raises(LoadError) as raised:
        load_submission(folder, FUNCTION)
    message = str(raised.value)
    assert message.startswith(f"the grader stopped looking through `upload` after {MAX_LOOKED_AT:,} files and folders")
    assert f"(`data` alone holds {MAX_LOOKED_AT - 1:,} or more)" in message
    document = grade(folder)
    assert document["score"] == 0 and document["extra_data"]["status"] == "not graded"
    assert "stopped looking" in document["output"] and "contains no" not in document["output"]


# --- (d) a PEP 263 coding line ---------------------------------------------------------------------------


def test_a_latin1_file_with_a_coding_line_is_read_as_python_reads_it(grade):
    path = CARELESS / "latin1_declared.py"
    code = load_submission(path, FUNCTION).files[SUBMISSION_FILE]
    assert 'AUTHOR = "Jos\u00e9"' in code and code.startswith("# -*- coding: utf-8 -*-\n")
    assert code.splitlines()[1:] == path.read_bytes().decode("latin-1").splitlines()[1:]  # nothing else changed
    document = grade(path, learning=False)
    assert full_marks(document), scores(document)


def test_a_latin1_helper_module_means_the_same_in_the_sandbox(grade, tmp_path):
    folder = shutil.copytree(CARELESS / "latin1_helper", tmp_path / "upload")
    helper = load_submission(folder, FUNCTION).files["accents.py"]
    assert helper.splitlines()[1] == "# vim: set fileencoding=utf-8 :" and 'AUTHOR = "Jos\u00e9"' in helper
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)  # its import asserts AUTHOR == "José"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"# coding: klingon\nx = 1\n", "`bad.py` has a coding line Python rejects: unknown encoding: klingon"),
        (
            b"# coding: ascii\nx = '\xe9'\n",
            "`bad.py` is not ascii text, as its coding line says (byte 21 is not valid)",
        ),
        (
            b"\xef\xbb\xbf# coding: latin-1\nx = 1\n",
            "`bad.py` has a coding line Python rejects: encoding problem: utf-8",
        ),
    ],
    ids=["unknown", "wrong", "bom_and_latin1"],
)
def test_a_coding_line_python_would_refuse_is_a_load_error(tmp_path, content, message):
    path = tmp_path / "bad.py"
    path.write_bytes(content)
    with pytest.raises(LoadError) as raised:
        load_submission(path, FUNCTION)
    assert str(raised.value) == message


# --- a loss sent to a GPU the machine does not have ---------------------------------------------------


def test_a_loss_sent_to_the_gpu_is_told_it_runs_on_the_cpu(grade):
    document = grade(CARELESS / "uses_cuda.py", learning=False)
    interface = next(test for test in document["tests"] if test["name"].startswith("1."))
    assert document["score"] == 0 and interface["status"] == "failed"
    assert "there is no GPU: the function runs on the CPU" in interface["output"]
    assert "`tensor.device`" in interface["output"]
