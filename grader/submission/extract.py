"""The code to run that one file holds, with notes on what was left out: `extract`.

A .py file is its own code, once it parses. A notebook (or notebook JSON saved
with a `.py` name) goes through the stages in turn: its text (files.read), its
code cells (notebook.code_cells), and what the grader may run of them
(keep.keep). The loader (load.py) extracts the file it located, and, when that
is the handout's stub, the later files that could replace it.
"""

from __future__ import annotations

from pathlib import Path
from typing import List, NamedTuple, Tuple

from grader.errors import LoadError
from grader.submission.files import check_syntax, read
from grader.submission.keep import keep
from grader.submission.notebook import code_cells
from grader.text import code as md_code


class Extracted(NamedTuple):
    code: str  # the Python source to run
    notes: List[str]  # what the extraction dropped or decided, for the feedback


def extract(entry: Path, function: str, also: Tuple[str, ...] = ()) -> Extracted:
    """The code to run for the file `entry`, which must define `function`, and the notes on it.
    also: the exercise's other parts' functions, which a notebook's extract serves too."""
    text = read(entry)
    code = text.text
    notes: List[str] = []
    if not text.notebook:
        check_syntax(code, entry.name)
    else:
        said = f"{md_code(entry.name)} is a Jupyter notebook saved with a `.py` name"
        try:
            cells = code_cells(text.text, entry.name)
            code, notes = keep(cells, entry.name, entry.parent, function, also)
        except LoadError as exc:
            if not text.renamed:
                raise
            raise LoadError(f"{said}; graded as a notebook: {exc}") from None
        if text.renamed:
            notes = [f"{said}: it was graded as a notebook (next time, submit it as `.ipynb`).", *notes]
    if not code.strip():
        raise LoadError(f"{md_code(entry.name)} is empty")
    return Extracted(code, notes)
