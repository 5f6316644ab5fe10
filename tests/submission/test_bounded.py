"""The loader's reader (grader.submission.bounded): reading an upload costs what the upload decides,
so it runs in a forked process held to a memory and time budget, and what runs out of it is a
clear load error naming the file, never a grader killed by the kernel or a grader error."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from submissions.discrete.careless import make

from grader.course import rubric
from grader.errors import GraderError
from grader.submission import bounded as bounded_module
from grader.submission.bounded import READ_MEMORY_MB, bounded
from grader.submission.files import read_source
from grader.submission.load import LoadError, load_submission

FUNCTION = rubric.exercise("discrete").parts[0].contract.function
MB = 1024 * 1024
TOO_LARGE = f"is too large for the grader to read: reading it took more than the {READ_MEMORY_MB} MB of memory"


def test_a_file_the_parser_cannot_afford_is_too_large_to_read_and_named(grade, tmp_path):
    path = make.statements(tmp_path / "pseudo_loss.py")  # Python's parser would take about 600 MB
    with pytest.raises(LoadError) as raised:
        load_submission(path, FUNCTION)
    assert str(raised.value) == (
        f"`pseudo_loss.py` (1.0 MB) {TOO_LARGE} the grader has for reading a submission, so it was not run. "
        "Submit only your code"
    )
    document = grade(path)
    assert document["score"] == 0 and document["extra_data"]["status"] == "not graded"
    assert f"`pseudo_loss.py` (1.0 MB) {TOO_LARGE}" in document["output"]


def test_the_helper_module_that_is_too_large_is_the_one_named(tmp_path):
    folder = tmp_path / "upload"
    (folder / "lib").mkdir(parents=True)
    (folder / "lib" / "pseudo_loss.py").write_text(
        "from weights import W\n\n\ndef pseudo_loss(l, a, q):\n    return l\n"
    )
    make.statements(folder / "lib" / "weights.py")
    with pytest.raises(LoadError, match=f"^`lib/weights.py` \\(1.0 MB\\) {TOO_LARGE}"):
        load_submission(folder, FUNCTION)


def test_a_budget_run_out_counts_even_if_the_memory_error_was_caught():
    def hog() -> str:
        held = []
        try:
            while True:
                held.append(bytearray(MB))
        except MemoryError:
            return "recovered"  # what a loader's `except MemoryError` would do

    with pytest.raises(LoadError, match=f"^your upload {TOO_LARGE}"):
        bounded(hog, Path("."))


def test_a_memory_error_of_the_parser_on_deep_nesting_is_not_called_too_large(tmp_path):
    path = tmp_path / "deep.py"
    path.write_text("x = " + "-" * 100_000 + "1\n")  # the parser's own stack runs out, in a few MB
    with pytest.raises(LoadError, match=r"^`deep.py` cannot be parsed as Python: MemoryError$"):
        load_submission(path, FUNCTION)


def test_a_reader_that_stalls_is_stopped_at_its_wall_clock_naming_the_file(tmp_path, monkeypatch):
    monkeypatch.setattr(bounded_module, "READ_WALL_S", 1.0)
    path = tmp_path / "slow.py"
    path.write_text("x = 1\n")
    start = time.monotonic()
    with pytest.raises(LoadError) as raised:
        bounded(lambda: (read_source(path), time.sleep(60)), tmp_path)
    assert time.monotonic() - start < 3.0
    assert str(raised.value) == (
        "reading the submission did not finish within 1 s, so it was not run (it was reading `slow.py`, 0.0 MB)"
    )


def test_a_fault_of_the_reader_is_a_grader_error_with_its_traceback(tmp_path):
    with pytest.raises(GraderError, match="ZeroDivisionError"):
        bounded(lambda: 1 / 0, tmp_path)


def test_the_reader_sends_back_plain_json(tmp_path):
    assert bounded(lambda: {"files": {"a.py": "x = 'é'\n"}, "notes": ["n"]}, tmp_path) == {
        "files": {"a.py": "x = 'é'\n"},
        "notes": ["n"],
    }
