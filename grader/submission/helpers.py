"""The loader's last stage for a folder: the helper modules the graded code imports, `helpers`.

Only a folder submission has helpers: the siblings of a single file are other
students' submissions. No file is read that the code does not import: a folder
may hold large data modules.
"""

from __future__ import annotations

import ast
from collections import deque
from pathlib import Path
from typing import Dict, List, Set, Tuple

from grader.contract import SUBMISSION_FILE
from grader.errors import LoadError
from grader.submission.files import read_source, special_kind
from grader.text import code as md_code

MAX_HELPERS = 20
MAX_HELPER_BYTES = 4 * 1024 * 1024  # all helper modules together (the child takes 16 MiB per message)


def helpers(entry: Path, code: str) -> Tuple[Dict[str, str], List[str]]:
    """The .py modules beside the graded file that its code imports, and those they import in turn,
    so `from utils import ...` works in the sandbox; and a note naming those left out for size or
    number."""
    found: Dict[str, str] = {}
    left_out: List[str] = []
    total = 0
    wanted = deque(sorted(_local_imports(code, entry.parent)))
    seen = set(wanted)
    while wanted:
        sibling = entry.parent / f"{wanted.popleft()}.py"
        if sibling == entry or sibling.name == SUBMISSION_FILE or sibling.is_symlink() or special_kind(sibling):
            continue  # a named pipe or the like: locate's note names it
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
