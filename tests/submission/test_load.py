"""Loading a submission (grader.submission.load): broken files, folders, and what is sent to the sandbox.

Files that the loader itself can reject (tests/submissions/discrete/broken/, LOAD_ERRORS)
are tested without a sandbox; those only the child can judge (RUN_ERRORS) are
graded end to end with the `grade` fixture. Folder submissions are built in
tmp_path, the way a student zips them or Gradescope unpacks them.
"""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path
from typing import Dict

import pytest
from conftest import SUBMISSIONS, scores
from submissions.discrete.broken.cases import CALL_ERRORS, CASES, HANGS, IMPORT_ERRORS, LOAD_ERRORS, RUN_ERRORS, STUB

from grader.contract import SUBMISSION_FILE
from grader.course import registry, rubric
from grader.sandbox.parent import Limits
from grader.submission.files import read_text
from grader.submission.load import LoadError, load_submission
from grader.submission.locate import SUBMISSION_NAMES, defines_function, locate

EXERCISE = "discrete"  # the exercise tests/submissions/ is written for
FUNCTION = rubric.exercise(EXERCISE).parts[0].contract.function  # what a submission must define
# The handout's stub itself, handed in untouched: the manifest names it by the key STUB, the file is the exercise's.
STUB_FILE = registry.folders(EXERCISE)[0] / rubric.exercise(EXERCISE).stub_file

BROKEN = SUBMISSIONS / "broken"
REPO = Path(__file__).resolve().parents[2]
HANG = Limits(call_timeout_s=1.0, restarts=0)

HELPER = '''"""Helpers for homework 3."""
import torch.nn.functional as F


def log_prob_of(logits, actions):
    return F.log_softmax(logits, dim=1).gather(1, actions.view(-1, 1)).view(-1)
'''
USES_HELPER = """from policy_utils import log_prob_of


def pseudo_loss(logits, actions, q_values):
    return -(log_prob_of(logits, actions) * q_values).mean()
"""
CORRECT = """import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
"""
SIGN_FLIPPED = CORRECT.replace("return (", "return -(")
NO_FUNCTION = """import matplotlib  # plotting script, no pseudo_loss here
RETURNS = [20, 35, 80, 200]
"""


def broken(name: str) -> Path:
    """The file of a manifest entry."""
    return STUB_FILE if name == STUB else BROKEN / name


def write(folder: Path, files: Dict[str, object]) -> Path:
    """Create files (str -> text, bytes -> bytes) under folder, subfolders included; return folder."""
    for name, content in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def full_marks(document: dict) -> bool:
    return document["score"] == sum(test["max_score"] for test in document["tests"]) and all(
        test["status"] == "passed" for test in document["tests"]
    )


# --- the broken corpus -------------------------------------------------------------------------------


def test_manifest_lists_exactly_the_broken_files_on_disk():
    on_disk = {p.name for p in BROKEN.iterdir() if p.is_file() and p.name != "cases.py"}
    assert set(CASES) - {STUB} == on_disk and STUB_FILE.is_file()
    assert not set(LOAD_ERRORS) & set(RUN_ERRORS)
    assert IMPORT_ERRORS | CALL_ERRORS == set(RUN_ERRORS) and HANGS <= CALL_ERRORS


def test_broken_files_are_what_they_claim_to_be():
    assert (BROKEN / "empty.py").read_bytes() == b""
    assert (BROKEN / "whitespace_only.py").read_bytes().strip() == b""
    assert (BROKEN / "whitespace_only.py").stat().st_size > 0
    image = (BROKEN / "image.py").read_bytes()
    assert image.startswith(b"\x89PNG\r\n\x1a\n") and b"\0" in image and len(image) >= 200
    pdf = (BROKEN / "pdf_renamed.ipynb").read_bytes()
    assert pdf.startswith(b"%PDF-") and b"\0" in pdf
    latin1 = (BROKEN / "latin1.py").read_bytes()
    assert b"\xe9" in latin1 and b"\0" not in latin1
    latin1.decode("latin-1")  # a valid Latin-1 text file


@pytest.mark.parametrize("name", sorted(LOAD_ERRORS))
def test_unreadable_file_is_a_load_error_with_a_specific_message(name):
    with pytest.raises(LoadError) as raised:
        load_submission(BROKEN / name, FUNCTION)
    assert LOAD_ERRORS[name] in str(raised.value)


def test_syntax_error_message_quotes_the_line_and_says_what_is_wrong():
    with pytest.raises(LoadError) as raised:
        load_submission(BROKEN / "syntax_error.py", FUNCTION)
    message = str(raised.value)
    assert "expected ':'" in message
    assert "`def pseudo_loss(logits, actions, q_values)`" in message


def test_non_utf8_message_points_at_the_offending_byte():
    with pytest.raises(LoadError) as raised:
        load_submission(BROKEN / "latin1.py", FUNCTION)
    offset = (BROKEN / "latin1.py").read_bytes().index(b"\xe9")
    assert f"byte {offset} is not valid" in str(raised.value)


def test_missing_path_is_a_load_error(tmp_path):
    with pytest.raises(LoadError, match="`nowhere.py` does not exist"):
        load_submission(tmp_path / "nowhere.py", FUNCTION)


@pytest.mark.parametrize("name", sorted(LOAD_ERRORS))
def test_unreadable_file_is_graded_zero_without_a_sandbox(grade, name):
    start = time.monotonic()
    document = grade(BROKEN / name)
    assert time.monotonic() - start < 2.0  # nothing was started
    assert document["score"] == 0
    assert document["extra_data"]["status"] == "not graded"
    assert LOAD_ERRORS[name] in document["output"]
    assert all(test["status"] == "failed" and LOAD_ERRORS[name] in test["output"] for test in document["tests"])


@pytest.mark.parametrize("name", sorted(RUN_ERRORS))
def test_file_only_the_child_can_judge_is_graded_zero_with_a_specific_message(grade, name):
    limits = HANG if name in HANGS else Limits()
    start = time.monotonic()
    document = grade(broken(name), limits=limits, learning=False)
    seconds = time.monotonic() - start
    assert document["extra_data"]["status"] != "grader error", document["extra_data"].get("grader_fault")
    assert document["score"] == 0, scores(document)
    assert all(test["status"] == "failed" for test in document["tests"])
    fragment = RUN_ERRORS[name]
    if name in IMPORT_ERRORS:
        assert document["extra_data"]["status"] == "not graded"
        assert "importing it failed: " in document["output"] and fragment in document["output"]
        assert all(fragment in test["output"] for test in document["tests"])
        assert seconds < Limits().import_timeout_s
    else:  # the import worked; calling the function is what fails
        interface = document["tests"][0]
        assert interface["name"].startswith("1. Interface") and fragment in interface["output"]
        assert seconds < (15.0 if name in HANGS else 10.0)


def test_exit_at_import_still_shows_what_the_module_printed(grade):
    document = grade(BROKEN / "exit_at_import.py", learning=False)
    assert "Your code printed" in document["output"]
    assert "loss: " in document["output"]


def test_missing_package_names_the_line_of_the_import(grade):
    document = grade(BROKEN / "missing_package.py", learning=False)
    assert "ModuleNotFoundError: No module named 'tensorflow' (line 2)" in document["output"]


def test_windows_file_with_bom_and_crlf_loads_and_gets_full_marks(grade, tmp_path):
    path = tmp_path / "pseudo_loss.py"
    path.write_bytes(b"\xef\xbb\xbf" + CORRECT.replace("\n", "\r\n").encode())
    source = load_submission(path, FUNCTION)
    assert not source.files[SUBMISSION_FILE].startswith("\ufeff")
    assert full_marks(grade(path, learning=False))


# --- folders ---------------------------------------------------------------------------------------


def test_folder_with_a_helper_module_sends_it_and_gets_full_marks(grade, tmp_path):
    folder = write(tmp_path / "alice", {"pseudo_loss.py": USES_HELPER, "policy_utils.py": HELPER})
    source = load_submission(folder, FUNCTION)
    assert source.files == {SUBMISSION_FILE: USES_HELPER, "policy_utils.py": HELPER}
    assert source.graded == folder / "pseudo_loss.py"
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert document["extra_data"]["graded_file"] == "pseudo_loss.py"


def test_folder_prefers_pseudo_loss_py_over_other_files_that_define_it(grade, tmp_path):
    folder = write(tmp_path / "bob", {"a_draft.py": SIGN_FLIPPED, "pseudo_loss.py": CORRECT, "plots.py": NO_FUNCTION})
    assert load_submission(folder, FUNCTION).graded.name == "pseudo_loss.py"
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert document["extra_data"]["graded_file"] == "pseudo_loss.py"
    assert "Graded `pseudo_loss.py` (of 3 Python files and notebooks in the folder)" in document["output"]


def test_folder_without_the_preferred_name_grades_the_file_that_defines_pseudo_loss(grade, tmp_path):
    folder = write(
        tmp_path / "carol", {"a_utils.py": NO_FUNCTION, "hw3_solution.py": CORRECT, "b_notes.py": "# notes\n"}
    )
    assert load_submission(folder, FUNCTION).graded.name == "hw3_solution.py"
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert document["extra_data"]["graded_file"] == "hw3_solution.py"
    assert "Graded `hw3_solution.py`" in document["output"]


def test_the_exercise_function_names_the_preferred_file_and_the_definition_looked_for(tmp_path):
    """Nothing in the loader is the discrete exercise's: <function>.py, then submission.py, else the
    file defining <function>, for whatever function the contract names."""
    value_loss = CORRECT.replace("def pseudo_loss", "def value_loss")
    folder = write(
        tmp_path / "erin", {"pseudo_loss.py": CORRECT, "submission.py": CORRECT, "value_loss.py": value_loss}
    )
    assert load_submission(folder, "value_loss").graded.name == "value_loss.py"
    assert load_submission(folder, FUNCTION).graded.name == "pseudo_loss.py"
    assert SUBMISSION_NAMES == ("submission.py", "submission.ipynb")
    fallback = write(tmp_path / "fay", {"a.py": value_loss, "submission.py": CORRECT})
    assert (
        load_submission(fallback, "value_loss").graded.name == "submission.py"
    )  # the generic name before a definition
    other = write(tmp_path / "gil", {"a_first.py": CORRECT, "b_second.py": value_loss})
    assert load_submission(other, "value_loss").graded.name == "b_second.py"
    assert load_submission(other, FUNCTION).graded.name == "a_first.py"
    assert locate(other, "value_loss").entry.name == "b_second.py"
    assert defines_function(other / "b_second.py", "value_loss")
    assert not defines_function(other / "b_second.py", FUNCTION)


def test_folder_whose_chosen_file_fails_to_import_still_says_which_file_was_graded(grade, tmp_path):
    # The student needs the file name most when it goes wrong: "line 2" of which file?
    folder = write(
        tmp_path / "dave", {"a_utils.py": NO_FUNCTION, "hw3.py": (BROKEN / "missing_package.py").read_text()}
    )
    document = grade(folder, learning=False)
    assert document["score"] == 0
    assert "No module named 'tensorflow'" in document["output"]
    assert "Graded `hw3.py`" in document["output"]


def test_nested_folder_of_a_gradescope_upload_is_found_with_its_helper(grade, tmp_path):
    inner = "Homework 3/src"
    folder = write(
        tmp_path / "submission",
        {
            f"{inner}/pseudo_loss.py": USES_HELPER,
            f"{inner}/policy_utils.py": HELPER,
            "Homework 3/README.md": "my answers\n",
        },
    )
    source = load_submission(folder, FUNCTION)
    assert source.graded == folder / inner / "pseudo_loss.py"
    assert set(source.files) == {SUBMISSION_FILE, "policy_utils.py"}
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert f"Graded `{inner}/pseudo_loss.py`" in document["output"]


def test_top_level_file_wins_over_an_older_copy_in_a_subfolder(tmp_path):
    folder = write(tmp_path / "erin", {"old/pseudo_loss.py": SIGN_FLIPPED, "pseudo_loss.py": CORRECT})
    source = load_submission(folder, FUNCTION)
    assert source.graded == folder / "pseudo_loss.py"
    assert source.files[SUBMISSION_FILE] == CORRECT


def test_mac_zip_leftovers_are_neither_graded_nor_mentioned(grade, tmp_path):
    apple_double = b"\x00\x05\x16\x07\x00\x02\x00\x00Mac OS X        " + b"\0" * 200
    folder = write(
        tmp_path / "frank",
        {
            "pseudo_loss.py": CORRECT,
            "._pseudo_loss.py": apple_double,
            "__MACOSX/._pseudo_loss.py": apple_double,
            ".DS_Store": b"\0\0\0\1Bud1",
        },
    )
    source = load_submission(folder, FUNCTION)
    assert set(source.files) == {SUBMISSION_FILE}
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert "._pseudo_loss.py" not in document["output"]


def test_helper_that_is_not_utf8_is_left_out_with_a_note_when_imported(grade, tmp_path):
    latin1 = "# r\xe9sum\xe9\nSCALE = 1.0\n".encode("latin-1")
    unused = write(tmp_path / "gina", {"pseudo_loss.py": CORRECT, "notes.py": latin1})
    source = load_submission(unused, FUNCTION)
    assert set(source.files) == {SUBMISSION_FILE}  # nothing imports it: never read
    assert not any("Helper modules" in note for note in source.notes)
    assert full_marks(grade(unused, learning=False))
    folder = write(tmp_path / "hal", {"pseudo_loss.py": "from notes import SCALE\n" + CORRECT, "notes.py": latin1})
    source = load_submission(folder, FUNCTION)
    assert set(source.files) == {SUBMISSION_FILE}
    assert any("notes.py" in note for note in source.notes)
    document = grade(folder, learning=False)
    assert document["score"] == 0
    assert "Helper modules not given to your code" in document["output"] and "notes.py" in document["output"]
    assert "No module named 'notes'" in document["output"]


@pytest.mark.parametrize(
    "files",
    [{}, {"README.md": "see pdf\n", "report.pdf": b"%PDF-1.4\n\0\0"}, {"pseudo_loss.txt": CORRECT}],
    ids=["empty", "documents", "txt"],
)
def test_folder_without_a_python_file_says_so(grade, tmp_path, files):
    folder = write(tmp_path / "hana", files)
    with pytest.raises(LoadError, match="the folder `hana` contains no `.py` or `.ipynb` file"):
        load_submission(folder, FUNCTION)
    document = grade(folder)
    assert document["score"] == 0
    assert "contains no `.py` or `.ipynb` file" in document["output"]


def test_pseudo_loss_py_five_folders_down_is_found_with_its_helper(grade, tmp_path):
    inner = "export/alice/attempt 1/Homework 3/src"  # a course export around a Gradescope upload
    folder = write(
        tmp_path / "upload",
        {f"{inner}/pseudo_loss.py": USES_HELPER, f"{inner}/policy_utils.py": HELPER, "export/README.md": "exported\n"},
    )
    source = load_submission(folder, FUNCTION)
    assert source.graded == folder / inner / "pseudo_loss.py"
    assert set(source.files) == {SUBMISSION_FILE, "policy_utils.py"}
    document = grade(folder, learning=False)
    assert full_marks(document), scores(document)
    assert f"Graded `{inner}/pseudo_loss.py` (of 2 Python files and notebooks in the folder)" in document["output"]


def test_deep_folders_keep_the_preference_rules(tmp_path):
    folder = write(
        tmp_path / "upload",
        {"a/b/hw3.py": CORRECT, "a/b/c/d/e/f/pseudo_loss.py": CORRECT, "a/b/c/d/e/f/g/h/pseudo_loss.py": SIGN_FLIPPED},
    )
    assert (
        load_submission(folder, FUNCTION).graded == folder / "a/b/c/d/e/f/pseudo_loss.py"
    )  # the name first, then the shallowest
    other = write(
        tmp_path / "other",
        {"a/notes.py": NO_FUNCTION, "a/b/c/d/e/f/g/solution.py": SIGN_FLIPPED, "a/b/c/d/e/hw3.py": CORRECT},
    )
    assert (
        load_submission(other, FUNCTION).graded == other / "a/b/c/d/e/hw3.py"
    )  # else the shallowest that defines pseudo_loss


def test_a_file_too_deep_in_the_folder_tree_is_named(grade, tmp_path):
    deep = "/".join("abcdefghij")
    folder = write(tmp_path / "upload", {f"{deep}/pseudo_loss.py": CORRECT})
    message = f"`{deep}/pseudo_loss.py` is 10 folders down in `upload`, and the grader looks at most 8 folders down"
    with pytest.raises(LoadError, match=message):
        load_submission(folder, FUNCTION)
    document = grade(folder)
    assert document["score"] == 0 and document["extra_data"]["status"] == "not graded"
    assert message in document["output"]


def within(seconds: float, function, *args):
    """function(*args), failing the test (not hanging it) if it blocks longer than seconds."""
    outcome: list = []
    worker = threading.Thread(target=lambda: outcome.append(_outcome(function, *args)), daemon=True)
    worker.start()
    worker.join(seconds)
    assert outcome, f"{function.__name__} blocked for more than {seconds} s"
    if isinstance(outcome[0], BaseException):
        raise outcome[0]
    return outcome[0]


def _outcome(function, *args):
    try:
        return function(*args)
    except BaseException as exc:  # handed to the test's thread
        return exc


def test_a_named_pipe_as_a_helper_is_skipped_and_named_not_opened(grade, tmp_path):
    folder = write(tmp_path / "ivan", {"pseudo_loss.py": CORRECT})
    os.mkfifo(folder / "utils.py")  # opening it for reading blocks until someone writes: forever
    source = within(10, load_submission, folder, FUNCTION)
    assert set(source.files) == {SUBMISSION_FILE}
    assert "Skipped, because not regular files: `utils.py` (a named pipe)." in source.notes
    document = within(60, lambda: grade(folder, learning=False))
    assert full_marks(document), scores(document)
    assert "`utils.py` (a named pipe)" in document["output"]


def test_a_named_pipe_named_pseudo_loss_py_says_what_it_is(grade, tmp_path):
    os.mkfifo(tmp_path / "pseudo_loss.py")
    with pytest.raises(LoadError, match="^`pseudo_loss.py` is a named pipe, not a file$"):
        within(10, load_submission, tmp_path / "pseudo_loss.py", FUNCTION)
    with pytest.raises(LoadError, match="is a named pipe, not a file the grader reads"):
        within(10, read_text, tmp_path / "pseudo_loss.py")
    with pytest.raises(
        LoadError,
        match=r"contains no `.py` or `.ipynb` file that is a regular file: "
        r"`pseudo_loss.py` \(a named pipe\)",
    ):
        within(10, load_submission, tmp_path, FUNCTION)
    for path in (tmp_path, tmp_path / "pseudo_loss.py"):
        document = within(60, grade, path)
        assert document["score"] == 0 and document["extra_data"]["status"] == "not graded"
        assert (
            "`pseudo_loss.py` (a named pipe)" in document["output"]
            or "`pseudo_loss.py` is a named pipe, not a file" in document["output"]
        )


def test_a_device_is_not_read_as_a_submission(tmp_path):
    with pytest.raises(LoadError, match="^`null` is a character device, not a file$"):
        load_submission(Path("/dev/null"), FUNCTION)
    with pytest.raises(LoadError, match="`zero` is a character device, not a file the grader reads"):
        read_text(Path("/dev/zero"))


def test_an_unreadable_file_is_a_load_error(tmp_path):
    path = write(tmp_path, {"pseudo_loss.py": CORRECT}) / "pseudo_loss.py"
    path.chmod(0)
    if os.access(path, os.R_OK):
        pytest.skip("running as root: every file is readable")
    with pytest.raises(LoadError, match="`pseudo_loss.py` cannot be read"):
        load_submission(path, FUNCTION)


# --- a single file is graded alone ---------------------------------------------------------------------


def test_single_file_never_receives_its_siblings_as_helpers(tmp_path):
    # A class folder: the siblings of one student's file are other students' work.
    klass = write(
        tmp_path / "class",
        {"alice.py": CORRECT, "bob.py": SIGN_FLIPPED, "policy_utils.py": HELPER, "carol/pseudo_loss.py": CORRECT},
    )
    for name in ("alice.py", "bob.py", "policy_utils.py"):
        assert set(load_submission(klass / name, FUNCTION).files) == {SUBMISSION_FILE}
    assert load_submission(klass / "alice.py", FUNCTION).files[SUBMISSION_FILE] == CORRECT


def test_single_file_cannot_import_a_sibling_even_if_it_tries(grade, tmp_path):
    klass = write(tmp_path / "class", {"alice.py": USES_HELPER, "policy_utils.py": HELPER})
    document = grade(klass / "alice.py", learning=False)
    assert document["score"] == 0
    assert "No module named 'policy_utils'" in document["output"]
