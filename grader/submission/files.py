"""Reading a submitted file safely: regular files only, never blocking, bounded, decoded, parsed."""

from __future__ import annotations

import ast
import os
import stat
from pathlib import Path
from typing import Optional

from grader.errors import LoadError
from grader.text import code as md_code
from grader.text import escaped

MAX_FILE_BYTES = 2 * 1024 * 1024
_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
    (stat.S_ISDIR, "a folder"),
)


def special_kind(path: Path) -> Optional[str]:
    """What a path is if it is there but not a regular file ("a named pipe"), else None.
    A symbolic link is judged by what it leads to: which links to follow is for the caller to decide."""
    try:
        mode = path.stat().st_mode
    except (OSError, ValueError):
        return None
    if stat.S_ISREG(mode):
        return None
    return next((what for test, what in _KINDS if test(mode)), "not a regular file")


def read_text(path: Path, limit: int = MAX_FILE_BYTES, kind: str = "Python source", advice: str = "") -> str:
    """A submitted text file: a regular file, never more than limit bytes read, not empty, not binary, UTF-8."""
    data = _read_regular(path, limit + 1)  # never more than the cap into memory, however large the file
    if len(data) > limit:
        raise LoadError(f"{md_code(path.name)} is larger than {limit >> 20} MB{advice}")
    if not data.strip():
        raise LoadError(f"{md_code(path.name)} is empty")
    if b"\0" in data:
        raise LoadError(f"{md_code(path.name)} is a binary file, not {kind}")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"{md_code(path.name)} is not UTF-8 text (byte {exc.start} is not valid)") from None


def _read_regular(path: Path, size: int) -> bytes:
    # Opening a named pipe blocks until someone writes to it, forever in a
    # grader: only a regular file is opened, and without blocking, in case it
    # was swapped for something else since it was looked at.
    kind = special_kind(path)
    if kind is None:
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY), "rb") as handle:
                if stat.S_ISREG(os.fstat(handle.fileno()).st_mode):
                    return handle.read(size)
        except OSError as exc:
            raise LoadError(f"{md_code(path.name)} cannot be read ({exc.strerror or type(exc).__name__})") from None
        kind = "not a regular file"
    raise LoadError(f"{md_code(path.name)} is {kind}, not a file the grader reads")


def check_syntax(code: str, name: str, line_offset: int = 0) -> ast.Module:
    try:
        return ast.parse(code, filename=name)
    except SyntaxError as exc:
        line = (exc.lineno or 0) + line_offset
        text = f": {md_code(exc.text.strip())}" if exc.text and exc.text.strip() else ""
        raise LoadError(f"syntax error in {md_code(name)} line {line}: {escaped(exc.msg)}{text}") from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise LoadError(f"{md_code(name)} cannot be parsed as Python: {type(exc).__name__}") from None
