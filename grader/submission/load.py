"""Turn what a student handed in (a .py, a .ipynb, or a folder) into source text for the sandbox.

Nothing here executes the submission: files are read as bytes, decoded and
parsed with ``ast`` only to report syntax errors precisely, to pick the right
file out of a folder and to find the modules it imports. All of it runs in a
reader process held to a memory and time budget (bounded.py): what an upload
costs to read is the upload's to decide.

It reads as one pass, each stage taking the output of the one before and none
calling back into an earlier one:

- locate: the file to grade in the upload (locate.py, over listing.py);
- extract: its code: the text read and decoded (files.py) and, for a notebook,
  its code cells (notebook.py) and what the grader may run of them (keep.py);
- unstub: not the handout's stub unchanged while a later file has work in it (stub.py);
- helpers: the modules beside it that the code imports, for a folder (helpers.py);
- the Source, with every stage's notes for the feedback.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, NamedTuple, Tuple

from grader.contract import SUBMISSION_FILE
from grader.errors import LoadError
from grader.submission.bounded import bounded
from grader.submission.extract import Extracted, extract
from grader.submission.helpers import helpers
from grader.submission.locate import Located, locate
from grader.submission.notebook import prepare
from grader.submission.stub import has_work, is_stub
from grader.text import code as md_code


@dataclass(frozen=True)
class Source:
    files: Dict[str, str]  # SUBMISSION_FILE -> code to run, plus helper modules by file name
    graded: Path  # the file that was graded
    notes: Tuple[str, ...]  # what the loader chose or dropped, for the feedback
    why: str = ""  # why this file was graded, in a few words, for the TA ("named pseudo_loss.py")

    @property
    def shown(self) -> str:
        """The graded file's name as the student's tracebacks show it: safe to quote in markdown."""
        return re.sub(r"[^\w.+-]", "_", self.graded.name)[:100] or SUBMISSION_FILE


def load_submission(path: Path, function: str, stub: str = "", also: Tuple[str, ...] = ()) -> Source:
    """The code to run for a submission that must define `function`, with the loader's notes.
    stub: the handout's stub module, never graded while another file defines `function` (stub.py).
    also: the functions of the exercise's other parts, which a notebook's extract serves too.
    Read by a forked reader within a memory and time budget, which returns plain JSON (bounded.py)."""
    found = bounded(lambda: _loaded(path, function, stub, also), path, share={"nbformat": prepare})
    return Source(dict(found["files"]), Path(found["graded"]), tuple(found["notes"]), found["why"])


def _loaded(path: Path, function: str, stub: str, also: Tuple[str, ...]) -> Dict[str, object]:
    """load_submission's work, in the reader: the source as JSON-able data."""
    located = locate(path, function)
    extracted = extract(located.entry, function, also)
    graded = _unstubbed(located, extracted, function, stub, also)
    modules, skipped = helpers(graded.entry, graded.code) if located.folder else ({}, [])
    return {
        "files": {SUBMISSION_FILE: graded.code, **modules},
        "graded": str(graded.entry),
        "notes": graded.notes + skipped,
        "why": graded.why,
    }


class _Graded(NamedTuple):
    entry: Path
    code: str
    notes: List[str]
    why: str


def _unstubbed(located: Located, extracted: Extracted, function: str, stub: str, also: Tuple[str, ...]) -> _Graded:
    """The located file, unless its `function` is the handout's stub's, unchanged, and a later file
    binds `function` to something else (a notebook: in a cell the grader keeps): then that file."""
    graded = _Graded(located.entry, extracted.code, located.notes + extracted.notes, located.why)
    if not (stub and is_stub(extracted.code, function, stub)):
        return graded
    for path in located.later:
        try:
            other = extract(path, function, also)
        except LoadError:
            continue  # a file that cannot be read has no work to grade instead
        if has_work(other.code, function, stub):
            assert located.folder is not None  # a single file has no later files
            was, work = located.entry.relative_to(located.folder), path.relative_to(located.folder)
            note = (
                f"Graded {md_code(str(work))}, not {md_code(str(was))}: "
                f"{md_code(str(was))} is the handout's stub, unchanged, and {md_code(path.name)} defines `{function}`."
            )
            why = f"{was} is the handout's stub, unchanged; {path.name} defines {function}"
            return _Graded(path, other.code, [*located.skipped, note, *other.notes], why)
    note = (
        f"{md_code(located.entry.name)} is the handout's stub, unchanged: its `{function}` is the one you were given. "
        "Write your implementation in it, or hand in the file or notebook you wrote it in."
    )
    return graded._replace(notes=[*graded.notes, note], why=f"{graded.why}; it is the handout's stub, unchanged")
