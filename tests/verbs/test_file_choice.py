"""The self-check checks the file the grader would grade (grader.submission.load.load_submission), and says which and why."""

from __future__ import annotations

from pathlib import Path
from typing import Dict

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_notebook

from grader.course import registry, rubric
from grader.submission.load import load_submission
from grader.verbs.choice import choose

SPEC = rubric.exercise("discrete")
STUB = (registry.folders("discrete")[0] / SPEC.stub_file).read_text()
WORK = "import torch.nn.functional as F\n\n\ndef pseudo_loss(logits, actions, q_values):\n    return (F.cross_entropy(logits, actions, reduction='none') * q_values).mean()\n"
OTHER = "def helper():\n    return 1\n"

LAYOUTS: Dict[str, Dict[str, str]] = {
    "the stub and two files with work: the first by name": {
        "pseudo_loss.py": STUB,
        "b_mine.py": WORK,
        "a_mine.py": WORK,
    },
    "the stub and a notebook with work: the notebook, named like the function": {
        "pseudo_loss.py": STUB,
        "a_mine.py": WORK,
        "pseudo_loss.ipynb": "notebook",
    },
    "submission.py before other names": {"pseudo_loss.py": STUB, "a_mine.py": WORK, "submission.py": WORK},
    "no pseudo_loss.py: the file that defines it": {"selfcheck.py": OTHER, "mine.py": WORK},
    "work in pseudo_loss.py, another file with work too": {"pseudo_loss.py": WORK, "a_mine.py": WORK},
}


def _write(folder: Path, files: Dict[str, str]) -> None:
    for name, text in files.items():
        if text == "notebook":
            notebook = new_notebook(cells=[new_code_cell("%matplotlib inline\nimport torch"), new_code_cell(WORK)])
            nbformat.write(notebook, folder / name)
        else:
            (folder / name).write_text(text)


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_the_self_check_picks_what_the_grader_grades(tmp_path, layout):
    _write(tmp_path, LAYOUTS[layout])
    graded = load_submission(tmp_path, "pseudo_loss", STUB).graded
    checked, notes = choose(None, "pseudo_loss", STUB, SPEC.stub_file, tmp_path)
    assert checked == graded
    others_with_work = [name for name, text in LAYOUTS[layout].items() if text in (WORK, "notebook")]
    if len(others_with_work) > 1 or LAYOUTS[layout].get("pseudo_loss.py") == STUB:
        assert notes and f"`{checked.name}`" in notes[0] and "grader would" in notes[0]  # which, and why


def test_work_in_the_handouts_file_beside_its_untouched_notebook_needs_no_note(tmp_path):
    """returns.ipynb sorts before returns.py and neither is named like a function: the grader
    skips the unchanged notebook, and the self-check says nothing of a choice the student did not make."""
    from readme_examples import unpacked_handout

    spec = rubric.exercise("returns")
    folder = unpacked_handout(tmp_path, "returns")
    (folder / spec.stub_file).write_text(
        (Path(__file__).parents[1] / "submissions/returns/correct/python_loops.py").read_text()
    )
    stub = (registry.folders("returns")[0] / spec.stub_file).read_text()
    function = spec.functions[0]
    assert load_submission(folder, function, stub, spec.functions[1:]).graded == folder / spec.stub_file
    assert choose(None, function, stub, spec.stub_file, folder) == (folder / spec.stub_file, [])


def test_a_notebook_the_grader_would_grade_is_named_and_not_imported(tmp_path):
    import subprocess
    import sys

    from readme_examples import unpacked_handout

    folder = unpacked_handout(tmp_path, "discrete")
    _write(folder, {"pseudo_loss.ipynb": "notebook"})
    done = subprocess.run([sys.executable, "selfcheck.py"], cwd=folder, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "Checked `pseudo_loss.ipynb`, not `pseudo_loss.py`" in done.stdout
    assert "pseudo_loss.ipynb is what the grader would grade here" in done.stderr
