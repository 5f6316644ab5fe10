"""The loader's first stage: which file of an upload to grade, `locate`.

An upload is one file, graded as it is, or a folder: the file named like the
function first, then `submission.py`/`.ipynb`, else the one that defines the
function, the shallowest first, then in path order. Files are parsed only as
far as the choice needs. Whether the choice is the handout's stub unchanged is
decided later (load.py), on its extracted code; `Located.later` then serves
the files that could replace it, lazily.
"""

from __future__ import annotations

import ast
import itertools
import re
from pathlib import Path
from typing import Iterator, List, NamedTuple, Optional, Sequence

from grader.errors import LoadError
from grader.submission.files import is_notebook_json, read_source, special_kind
from grader.submission.listing import MAX_DEPTH, MAX_LOOKED_AT, Listing, walk
from grader.submission.stub import binds
from grader.text import code as md_code

SUBMISSION_NAMES = ("submission.py", "submission.ipynb")  # preferred after <function>.py and <function>.ipynb
MAX_SEARCHED = 1_000  # files read in search of the one defining the function (a virtualenv holds thousands)


class Located(NamedTuple):
    entry: Path  # the file to grade, unless it is the stub and a later one has work
    folder: Optional[Path]  # the folder handed in; None for a single file
    later: Iterator[Path]  # the other files that may define the function, in order, found as they are asked for
    notes: List[str]  # for the feedback when the entry is graded: which of how many files
    skipped: List[str]  # the note on .py and .ipynb names that are not regular files, whatever is graded
    why: str  # why the entry, in a few words, for the TA ("named pseudo_loss.py")


def locate(path: Path, function: str) -> Located:
    """The file to grade in what was handed in, for a function named `function`."""
    if path.is_dir():
        return _in_folder(path, function)
    if path.is_file():
        return Located(path, None, iter(()), [], [], "the file handed in")
    kind = special_kind(path)
    raise LoadError(f"{md_code(path.name)} is {kind}, not a file" if kind else f"{md_code(path.name)} does not exist")


def _in_folder(folder: Path, function: str) -> Located:
    listing = walk(folder)
    candidates = sorted(listing.found, key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    if not candidates:
        raise LoadError(_nothing_found(folder, listing))
    skipped = [f"Skipped, because not regular files: {_listed(folder, listing.special)}."] if listing.special else []
    names = (f"{function}.py", f"{function}.ipynb", *SUBMISSION_NAMES)
    named = [p for name in names for p in candidates if p.name == name]
    others = [p for p in candidates if p not in named]
    defining = None if named else next(_defining(others, function), None)
    chosen = named[0] if named else defining or candidates[0]
    later = (p for p in itertools.chain(named[1:], _defining(others, function)) if p != chosen)
    if len(candidates) == 1:
        return Located(chosen, folder, later, skipped, skipped, "the only file")
    why = f"named {chosen.name}" if named else f"defines {function}" if defining else "no file defines it"
    graded = f"Graded {md_code(str(chosen.relative_to(folder)))} (of {len(candidates)} Python files and notebooks in the folder)."
    return Located(chosen, folder, later, [graded, *skipped], skipped, why)


def _nothing_found(folder: Path, listing: Listing) -> str:
    """Why a folder has no file to grade: too deep, too large to look through, or none there."""
    if listing.deeper:
        where = listing.deeper[0].relative_to(folder)
        return (
            f"{md_code(str(where))} is {len(where.parts) - 1} folders down in {md_code(folder.name)}, "
            f"and the grader looks at most {MAX_DEPTH} folders down: submit the file itself, or the folder it is in"
        )
    if listing.cut:
        largest, entries = listing.cut
        return (
            f"the grader stopped looking through {md_code(folder.name)} after {MAX_LOOKED_AT:,} files and "
            f"folders ({md_code(_relative(folder, largest))} alone holds {entries:,} or more) and found no "
            "`.py` or `.ipynb` file before then: submit the file itself, or the folder with your code but "
            "not your data"
        )
    if listing.special:
        return (
            f"the folder {md_code(folder.name)} contains no `.py` or `.ipynb` file that is a regular "
            f"file: {_listed(folder, listing.special)}"
        )
    return f"the folder {md_code(folder.name)} contains no `.py` or `.ipynb` file"


def defines_function(path: Path, function: str) -> bool:
    """Whether a .py file binds `function` at top level (`def`, `f = torch.compile(_f)`, an import), or is
    a notebook (static, never raises). Only a file that names `function` is parsed."""
    try:
        text = read_source(path)
        if is_notebook_json(text):
            return True
        if not re.search(rf"\b{re.escape(function)}\b", text):
            return False  # a data module, say: not worth parsing
        tree = ast.parse(text)
    except (LoadError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(binds(node, function) for node in tree.body)


def _defining(paths: Sequence[Path], function: str) -> Iterator[Path]:
    """The files that define `function`, in order, each parsed only when the one before did not."""
    return (p for p in paths[:MAX_SEARCHED] if p.suffix == ".ipynb" or defines_function(p, function))


def _relative(folder: Path, path: Path) -> str:
    return str(path.relative_to(folder)) if path != folder else folder.name


def _listed(folder: Path, paths: List[Path]) -> str:
    """ "`utils.py` (a named pipe), ..." for a note."""
    return ", ".join(
        f"{md_code(str(p.relative_to(folder)))} ({special_kind(p) or 'not a regular file'})" for p in paths[:10]
    )
