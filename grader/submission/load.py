"""Turn what a student handed in (a .py, a .ipynb, or a folder) into source text for the sandbox.

Nothing here executes the submission: files are read as bytes, decoded and
parsed with ``ast`` only to report syntax errors precisely, to pick the right
file out of a folder and to find the modules it imports. All of it runs in a
reader process held to a memory and time budget (bounded.py): what an upload
costs to read is the upload's to decide.
"""

from __future__ import annotations

import ast
import itertools
import json
import re
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Sequence, Set, Tuple

from grader.contract import SUBMISSION_FILE
from grader.errors import LoadError
from grader.submission.bounded import bounded
from grader.submission.files import check_syntax, read_source, special_kind
from grader.submission.listing import MAX_DEPTH, MAX_LOOKED_AT, walk
from grader.submission.stub import binds, has_work, is_stub
from grader.text import code as md_code

MAX_HELPERS = 20
MAX_HELPER_BYTES = 4 * 1024 * 1024  # all helper modules together (the child takes 16 MiB per message)
SUBMISSION_NAMES = ("submission.py", "submission.ipynb")  # preferred after <function>.py and <function>.ipynb
MAX_SEARCHED = 1_000  # files read in search of the one defining the function (a virtualenv holds thousands)


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
    found = bounded(lambda: _loaded(path, function, stub, also), path, share={"nbformat": _prepare_notebooks})
    return Source(dict(found["files"]), Path(found["graded"]), tuple(found["notes"]), found["why"])


def _prepare_notebooks() -> None:
    from grader.submission.notebook import prepare

    prepare()


def _loaded(path: Path, function: str, stub: str, also: Tuple[str, ...]) -> Dict[str, object]:
    """load_submission's work, in the reader: the source as JSON-able data."""
    if path.is_dir():
        entry, notes, why = pick(path, function, stub)
    elif path.is_file():
        entry, notes, why = path, [], "the file handed in"
    else:
        kind = special_kind(path)
        raise LoadError(
            f"{md_code(path.name)} is {kind}, not a file" if kind else f"{md_code(path.name)} does not exist"
        )
    code = _code(entry, function, notes, also)
    if stub and is_stub(code, function, stub):
        notes.append(
            f"{md_code(entry.name)} is the handout's stub, unchanged: its `{function}` is the one you were given. "
            "Write your implementation in it, or hand in the file or notebook you wrote it in."
        )
        why += "; it is the handout's stub, unchanged"
    # Helper modules only come from inside a folder submission: the siblings of a
    # single file are other students' submissions.
    modules, skipped = helpers(entry, code) if path.is_dir() else ({}, [])
    return {"files": {SUBMISSION_FILE: code, **modules}, "graded": str(entry), "notes": notes + skipped, "why": why}


def _code(entry: Path, function: str, notes: List[str], also: Tuple[str, ...] = ()) -> str:
    """The source to run for one file (a notebook's extract); what the extraction dropped goes to notes."""
    if entry.suffix == ".ipynb":
        from grader.submission.notebook import extract  # nbformat only when a notebook shows up

        code, dropped = extract(entry, function, also)
        notes += dropped
    elif entry.suffix == ".py":
        code = read_source(entry)
        if is_notebook_json(code):
            code, dropped = _py_notebook(entry, code, function, also)
            notes += dropped
        else:
            check_syntax(code, entry.name)
    else:
        raise LoadError(f"{md_code(entry.name)} is not a Python file or a notebook: submit a `.py` or `.ipynb` file")
    if not code.strip():
        raise LoadError(f"{md_code(entry.name)} is empty")
    return code


def is_notebook_json(text: str) -> bool:
    """Whether a .py file holds notebook JSON (saved or renamed with the wrong extension)."""
    if not text.lstrip().startswith("{"):  # no Python module worth grading starts with a dict
        return False
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and bool({"nbformat", "cells", "worksheets"} & set(document))


def _py_notebook(entry: Path, text: str, function: str, also: Tuple[str, ...]) -> Tuple[str, List[str]]:
    """Grade a notebook saved with a .py name as the notebook it is, and say so."""
    from grader.submission.notebook import extract_text

    said = f"{md_code(entry.name)} is a Jupyter notebook saved with a `.py` name"
    try:
        code, dropped = extract_text(text, entry.name, entry.parent, function, also)
    except LoadError as exc:
        raise LoadError(f"{said}; graded as a notebook: {exc}") from None
    return code, [f"{said}: it was graded as a notebook (next time, submit it as `.ipynb`)."] + dropped


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


def pick(folder: Path, function: str, stub: str = "") -> Tuple[Path, List[str], str]:
    """The file to grade in a folder, the notes saying so, and why it was chosen: a preferred name,
    else the one defining `function`, the shallowest first, then in path order; but never the
    handout's stub unchanged while another file defines `function`. Files are parsed only as far
    as the choice needs."""
    listing = walk(folder)
    found, deeper, special = listing.found, listing.deeper, listing.special
    candidates = sorted(found, key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    notes = [f"Skipped, because not regular files: {_listed(folder, special)}."] if special else []
    if not candidates:
        if deeper:
            where = deeper[0].relative_to(folder)
            raise LoadError(
                f"{md_code(str(where))} is {len(where.parts) - 1} folders down in {md_code(folder.name)}, "
                f"and the grader looks at most {MAX_DEPTH} folders down: submit the file itself, or the folder it is in"
            )
        if listing.cut:
            largest, entries = listing.cut
            raise LoadError(
                f"the grader stopped looking through {md_code(folder.name)} after {MAX_LOOKED_AT:,} files and "
                f"folders ({md_code(_relative(folder, largest))} alone holds {entries:,} or more) and found no "
                "`.py` or `.ipynb` file before then: submit the file itself, or the folder with your code but "
                "not your data"
            )
        if special:
            raise LoadError(
                f"the folder {md_code(folder.name)} contains no `.py` or `.ipynb` file that is a regular "
                f"file: {_listed(folder, special)}"
            )
        raise LoadError(f"the folder {md_code(folder.name)} contains no `.py` or `.ipynb` file")
    names = (f"{function}.py", f"{function}.ipynb", *SUBMISSION_NAMES)
    named = [p for name in names for p in candidates if p.name == name]
    others = [p for p in candidates if p not in named]
    defining = None if named else next(_defining(others, function), None)
    chosen = named[0] if named else defining or candidates[0]
    why = f"named {chosen.name}" if named else f"defines {function}" if defining else "no file defines it"
    if stub and _is_stub(chosen, function, stub):
        later = itertools.chain(named[1:], _defining(others, function))
        work = next((p for p in later if p != chosen and _has_work(p, function, stub)), None)
        if work is not None:
            was = chosen.relative_to(folder)
            notes.append(
                f"Graded {md_code(str(work.relative_to(folder)))}, not {md_code(str(was))}: "
                f"{md_code(str(was))} is the handout's stub, unchanged, and {md_code(work.name)} defines `{function}`."
            )
            return work, notes, f"{was} is the handout's stub, unchanged; {work.name} defines {function}"
    return chosen, _chosen(folder, chosen, candidates) + notes, why if len(candidates) > 1 else "the only file"


def _defining(paths: Sequence[Path], function: str) -> Iterator[Path]:
    """The files that define `function`, in order, each parsed only when the one before did not."""
    return (p for p in paths[:MAX_SEARCHED] if p.suffix == ".ipynb" or defines_function(p, function))


def _relative(folder: Path, path: Path) -> str:
    return str(path.relative_to(folder)) if path != folder else folder.name


def _is_stub(path: Path, function: str, stub: str) -> bool:
    """Whether a candidate's `function` is the stub's (a file that cannot be read is not)."""
    try:
        return is_stub(_code(path, function, []), function, stub)
    except LoadError:
        return False


def _has_work(path: Path, function: str, stub: str) -> bool:
    """Whether a candidate binds `function` (a notebook: in a cell the grader keeps) other than to the stub's."""
    try:
        return has_work(_code(path, function, []), function, stub)
    except LoadError:
        return False


def _listed(folder: Path, paths: List[Path]) -> str:
    """ "`utils.py` (a named pipe), ..." for a note."""
    return ", ".join(
        f"{md_code(str(p.relative_to(folder)))} ({special_kind(p) or 'not a regular file'})" for p in paths[:10]
    )


def _chosen(folder: Path, chosen: Path, candidates: List[Path]) -> List[str]:
    if len(candidates) == 1:
        return []
    return [
        f"Graded {md_code(str(chosen.relative_to(folder)))} "
        f"(of {len(candidates)} Python files and notebooks in the folder)."
    ]


def helpers(entry: Path, code: str) -> Tuple[Dict[str, str], List[str]]:
    """The .py modules beside the graded file that its code imports, and those they import in turn,
    so `from utils import ...` works in the sandbox; and a note naming those left out for size or
    number. No other file is read: a folder may hold large data modules that nothing imports."""
    found: Dict[str, str] = {}
    left_out: List[str] = []
    total = 0
    wanted = deque(sorted(_local_imports(code, entry.parent)))
    seen = set(wanted)
    while wanted:
        sibling = entry.parent / f"{wanted.popleft()}.py"
        if sibling == entry or sibling.name == SUBMISSION_FILE or sibling.is_symlink() or special_kind(sibling):
            continue  # a named pipe or the like: pick's note names it
        try:
            text = read_source(sibling)
        except (LoadError, OSError):
            left_out.append(sibling.name)
            continue
        total += len(text.encode())
        if total > MAX_HELPER_BYTES or len(found) >= MAX_HELPERS:
            left_out.append(sibling.name)
            continue
        found[sibling.name] = text
        more = _local_imports(text, entry.parent) - seen
        wanted.extend(sorted(more))
        seen |= more
    note = (
        f"Helper modules not given to your code (at most {MAX_HELPERS} files and "
        f"{MAX_HELPER_BYTES >> 20} MB in all, each a text file Python can read): "
        f"{', '.join(md_code(name) for name in left_out[:10])}."
    )
    return found, [note] if left_out else []


def _local_imports(code: str, folder: Path) -> Set[str]:
    """The top-level modules the code imports anywhere (in functions too) that are .py files in folder."""
    try:
        tree = ast.parse(code)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set()  # the child says what is wrong with it, if it is imported
    names: Set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module.split(".")[0])
    return {name for name in names if (folder / f"{name}.py").is_file()}
