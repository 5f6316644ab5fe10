"""Reading a submitted file safely: regular files only, never blocking, bounded, decoded, parsed.

`read` is the loader's second stage: the text of the file `locate` chose, and whether it is a
notebook; the primitives below it serve the other stages too (locate, helpers)."""

from __future__ import annotations

import ast
import io
import json
import os
import re
import stat
import tokenize
from pathlib import Path
from typing import Callable, NamedTuple, Optional

from grader.errors import LoadError
from grader.text import code as md_code
from grader.text import escaped

MAX_FILE_BYTES = 2 * 1024 * 1024
# Not MAX_FILE_BYTES: outputs (plots, a video) easily make a notebook larger
# than that, and they are ignored anyway.
NOTEBOOK_MAX_BYTES = 16 * 1024 * 1024
_UTF8 = ("utf-8", "utf-8-sig")
# PEP 263's coding line, as tokenize finds it on a file's first or second line.
_CODING = re.compile(r"^([ \t\f]*#.*?coding[:=][ \t]*)[-\w.]+", re.ASCII)
_before_read: Optional[Callable[[Path, int], None]] = None
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


def before_read(callback: Callable[[Path, int], None]) -> None:
    """Have callback(path, size) called before each submitted file is read: the loader's bounded
    reader (bounded.py) says so to its parent, which then knows what it was reading if it dies."""
    global _before_read
    _before_read = callback


class Text(NamedTuple):
    text: str
    notebook: bool  # notebook JSON, whose code cells are what runs
    renamed: bool  # a notebook saved with a `.py` name


def read(entry: Path) -> Text:
    """The text of the file to grade, decoded, and whether it is a notebook (a .py file may hold one)."""
    if entry.suffix == ".ipynb":
        advice = ": clear its outputs (Edit → Clear all outputs) and submit it again"
        return Text(read_text(entry, NOTEBOOK_MAX_BYTES, "a notebook", advice), True, False)
    if entry.suffix == ".py":
        text = read_source(entry)
        renamed = is_notebook_json(text)
        return Text(text, renamed, renamed)
    raise LoadError(f"{md_code(entry.name)} is not a Python file or a notebook: submit a `.py` or `.ipynb` file")


def is_notebook_json(text: str) -> bool:
    """Whether a .py file holds notebook JSON (saved or renamed with the wrong extension)."""
    if not text.lstrip().startswith("{"):  # no Python module worth grading starts with a dict
        return False
    try:
        document = json.loads(text)
    except (ValueError, RecursionError):
        return False
    return isinstance(document, dict) and bool({"nbformat", "cells", "worksheets"} & set(document))


def read_text(path: Path, limit: int = MAX_FILE_BYTES, kind: str = "Python source", advice: str = "") -> str:
    """A submitted text file: a regular file, never more than limit bytes read, not empty, not binary, UTF-8."""
    return _decoded(path, _read_checked(path, limit, kind, advice), "utf-8-sig")


def read_source(path: Path) -> str:
    """A submitted Python file decoded as Python decodes it: a UTF-8 BOM, else a PEP 263 coding line
    (`# -*- coding: latin-1 -*-`), else UTF-8. The text goes to the sandbox as UTF-8, so a coding
    line that names another encoding is made to name utf-8 (on its own line: line numbers stay)."""
    data = _read_checked(path, MAX_FILE_BYTES, "Python source", "")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as exc:  # an unknown encoding, or a BOM with a coding line of another one
        raise LoadError(f"{md_code(path.name)} has a coding line Python rejects: {escaped(exc.msg)}") from None
    text = _decoded(path, data, encoding)
    if encoding in _UTF8:
        return text
    lines = text.split("\n", 2)  # the first two lines, and the rest
    lines[:2] = [_CODING.sub(r"\1utf-8", line, count=1) for line in lines[:2]]
    return "\n".join(lines)


def _read_checked(path: Path, limit: int, kind: str, advice: str) -> bytes:
    data = _read_regular(path, limit + 1)  # never more than the cap into memory, however large the file
    if len(data) > limit:
        raise LoadError(f"{md_code(path.name)} is larger than {limit >> 20} MB{advice}")
    if not data.strip():
        raise LoadError(f"{md_code(path.name)} is empty")
    if b"\0" in data:
        raise LoadError(f"{md_code(path.name)} is a binary file, not {kind}")
    return data


def _decoded(path: Path, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        said = "UTF-8 text" if encoding in _UTF8 else f"{encoding} text, as its coding line says"
        raise LoadError(f"{md_code(path.name)} is not {said} (byte {exc.start} is not valid)") from None


def _read_regular(path: Path, size: int) -> bytes:
    # Opening a named pipe blocks until someone writes to it, forever in a
    # grader: only a regular file is opened, and without blocking, in case it
    # was swapped for something else since it was looked at.
    kind = special_kind(path)
    if kind is None:
        try:
            with os.fdopen(os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOCTTY), "rb") as handle:
                status = os.fstat(handle.fileno())
                if stat.S_ISREG(status.st_mode):
                    if _before_read is not None:
                        _before_read(path, status.st_size)
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
