"""Turn what a student handed in (a .py, a .ipynb, or a folder) into source text for the sandbox.

Nothing here executes the submission: files are read as bytes, decoded and
parsed with ``ast`` only to report syntax errors precisely and to pick the
right file out of a folder.
"""
from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Tuple

from grader.answer import SUBMISSION_FILE
from grader.child import FUNCTION

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_HELPERS = 20
MAX_HELPER_BYTES = 4 * 1024 * 1024  # all helper modules together (the child takes 16 MiB per message)
SKIPPED_DIRS = {"__pycache__", "__MACOSX", ".ipynb_checkpoints", ".git", "node_modules", ".venv", "venv"}
PREFERRED_NAMES = ("pseudo_loss.py", "pseudo_loss.ipynb", "submission.py", "submission.ipynb")


class LoadError(Exception):
    """The submission cannot be run at all; the message says why, for the student."""


@dataclass(frozen=True)
class Source:
    files: Dict[str, str]      # SUBMISSION_FILE -> code to run, plus helper modules by file name
    graded: Path               # the file that was graded
    notes: Tuple[str, ...]     # what the loader chose or dropped, for the feedback


def load(path: Path) -> Source:
    if path.is_dir():
        entry, notes = pick(path)
    elif path.is_file():
        entry, notes = path, []
    else:
        raise LoadError(f"`{path.name}` does not exist")
    if entry.suffix == ".ipynb":
        from grader.notebook import extract  # nbformat only when a notebook shows up
        code, dropped = extract(entry)
        notes += dropped
    elif entry.suffix == ".py":
        code = read_text(entry)
        check_syntax(code, entry.name)
    else:
        raise LoadError(f"`{entry.name}` is not a Python file or a notebook: submit a `.py` or `.ipynb` file")
    if not code.strip():
        raise LoadError(f"`{entry.name}` is empty")
    # Helper modules only come from inside a folder submission: the siblings of a
    # single file are other students' submissions.
    modules, skipped = helpers(entry) if path.is_dir() else ({}, [])
    return Source({SUBMISSION_FILE: code, **modules}, entry, tuple(notes + skipped))


def read_text(path: Path, limit: int = MAX_FILE_BYTES, kind: str = "Python source", advice: str = "") -> str:
    """A submitted text file: never more than limit bytes read, not empty, not binary, UTF-8."""
    with path.open("rb") as handle:  # never more than the cap into memory, however large the file
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise LoadError(f"`{path.name}` is larger than {limit >> 20} MB{advice}")
    if not data.strip():
        raise LoadError(f"`{path.name}` is empty")
    if b"\0" in data:
        raise LoadError(f"`{path.name}` is a binary file, not {kind}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"`{path.name}` is not UTF-8 text (byte {exc.start} is not valid)") from None


def check_syntax(code: str, name: str, line_offset: int = 0) -> ast.Module:
    try:
        return ast.parse(code, filename=name)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset
        text = f": `{exc.text.strip()}`" if exc.text and exc.text.strip() else ""
        raise LoadError(f"syntax error in `{name}` line {line}: {exc.msg}{text}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise LoadError(f"`{name}` cannot be parsed as Python: {type(exc).__name__}") from None


def defines_function(path: Path) -> bool:
    """Whether a .py file defines pseudo_loss at top level (cheap, static, never raises)."""
    try:
        tree = ast.parse(read_text(path))
    except (LoadError, SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return any(isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name == FUNCTION
               for node in tree.body)


def pick(folder: Path) -> Tuple[Path, List[str]]:
    """The file to grade in a folder: a preferred name, else the one defining pseudo_loss."""
    candidates = sorted(_candidates(folder), key=lambda p: (len(p.relative_to(folder).parts), str(p)))
    if not candidates:
        raise LoadError(f"the folder `{folder.name}` contains no `.py` or `.ipynb` file")
    for name in PREFERRED_NAMES:
        named = [p for p in candidates if p.name == name]
        if named:
            return named[0], _chosen(folder, named[0], candidates)
    defining = [p for p in candidates if p.suffix == ".ipynb" or defines_function(p)]
    chosen = (defining or candidates)[0]
    return chosen, _chosen(folder, chosen, candidates)


def _candidates(folder: Path, depth: int = 3):
    for child in sorted(folder.iterdir()):
        if child.name.startswith(".") or child.name in SKIPPED_DIRS or child.is_symlink():
            continue
        if child.is_dir() and depth > 0:
            yield from _candidates(child, depth - 1)
        elif child.is_file() and child.suffix in (".py", ".ipynb"):
            yield child


def _chosen(folder: Path, chosen: Path, candidates: List[Path]) -> List[str]:
    if len(candidates) == 1:
        return []
    return [f"Graded `{chosen.relative_to(folder)}` (of {len(candidates)} Python files and notebooks in the folder)."]


def helpers(entry: Path) -> Tuple[Dict[str, str], List[str]]:
    """Other .py files beside the graded one, so `from utils import ...` works in the sandbox;
    and a note naming those left out for size or number."""
    found: Dict[str, str] = {}
    left_out: List[str] = []
    total = 0
    for sibling in sorted(entry.parent.glob("*.py")):
        if sibling == entry or sibling.name == SUBMISSION_FILE or sibling.is_symlink() or sibling.name.startswith("."):
            continue  # hidden files are editor or archive leftovers (macOS's ._name.py), never the student's
        try:
            text = read_text(sibling)
        except (LoadError, OSError):
            left_out.append(sibling.name)
            continue
        total += len(text.encode())
        if total > MAX_HELPER_BYTES or len(found) >= MAX_HELPERS:
            left_out.append(sibling.name)
            continue
        found[sibling.name] = text
    note = (f"Helper modules not given to your code (at most {MAX_HELPERS} files and "
            f"{MAX_HELPER_BYTES >> 20} MB in all, each valid UTF-8 text): {', '.join(left_out[:10])}.")
    return found, [note] if left_out else []
