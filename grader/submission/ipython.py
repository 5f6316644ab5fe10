"""Recognise the lines of a notebook cell that only IPython understands, and blank them out.

Jupyter and Colab pass every cell through IPython, which rewrites some lines
before Python sees them: line magics (``%matplotlib inline``, ``t = %timeit
-o f()``), shell escapes (``!pip install ...``, ``files = !ls``), help lines
(``obj?``, ``??obj``) and a cell magic on a cell's first line (``%%time``).
``ast`` cannot parse those, so they are blanked before a cell is parsed, keeping
its line numbers, and each one is reported as a (kind, label) pair for the notes.

Only a line that starts a statement can be an IPython line: ``!this`` inside a
triple-quoted string, or ``%`` continuing an open bracket, is Python. A small
scanner follows strings, brackets and backslashes from line to line to tell.
"""

from __future__ import annotations

import re
import textwrap
from typing import List, Optional, Tuple

# Cell magics whose body is Python run in the notebook's own namespace, so the
# definitions in it exist afterwards. Any other cell magic (%%bash, %%writefile,
# %%html, %%timeit, whose body runs inside a function, %%python, which runs in
# another process, ...) leaves no definitions behind: its whole cell is dropped.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})

IPythonLine = Tuple[str, str]  # (kind: "magic", "shell" or "help"; label for the notes, such as "!pip")

_MAGIC_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*([!%])")
_HELP = re.compile(r"\?.*|[^#'\"]*\?")


def cell_magic(source: str) -> Optional[str]:
    """The name of the cell magic opening the cell ("time" for `%%time`, "" for a bare `%%`), else None."""
    first = next((line.strip() for line in python_lines(source) if line.strip()), "")
    if not first.startswith("%%"):
        return None
    magic = re.match(r"%%(\w*)", first)
    assert magic is not None  # matches any line that starts with %%
    return magic.group(1)


def without_cell_magic(source: str) -> str:
    """The cell with its `%%` line blanked, keeping line numbers (for a magic whose body is Python)."""
    return re.sub(r"^\s*%%[^\n]*", lambda m: "\n" * m.group().count("\n"), source, count=1)


def strip_ipython(source: str) -> Tuple[str, List[IPythonLine]]:
    """Blank out magics, shell and help lines (an indented one becomes `pass`), keeping line numbers."""
    kept: List[str] = []
    found: List[IPythonLine] = []
    scanner = _Scanner()
    previous = ""  # the last line of code kept, to tell a block body from a stray indent
    for line in python_lines(source):
        special = _ipython_line(line.strip()) if scanner.at_statement and line.strip() else None
        if special:
            found.append(special)
            indent = line[: len(line) - len(line.lstrip())]
            in_block = indent and (previous.endswith(":") or previous[:1].isspace())
            kept.append(indent + "pass  # an IPython line, dropped" if in_block else "")
            continue
        scanner.feed(line)
        kept.append(line)
        previous = without_comment(line).rstrip() or previous
    code = "\n".join(kept)
    first = next((line for line in kept if line.strip()), "")
    if first[:1].isspace():  # IPython strips a cell's leading indentation; so do we
        code = textwrap.dedent(code)
    return code, found


def python_lines(source: str) -> List[str]:
    """Source lines as Python numbers them: only \\n, \\r\\n and \\r end one (str.splitlines also
    breaks at U+2028, U+2029 and other separators, which may sit inside a string)."""
    return re.split(r"\r\n|\r|\n", source)


def without_comment(line: str) -> str:
    """The line without its `#` comment; kept whole if it has a quote, where `#` may be inside a string."""
    return line if "'" in line or '"' in line else line.split("#")[0]


def _ipython_line(stripped: str) -> Optional[IPythonLine]:
    """(kind, label) for a line IPython would rewrite before Python sees it, else None."""
    if stripped.startswith("%"):
        magic = re.match(r"%+\w*", stripped)
        assert magic is not None  # matches any line that starts with %
        return "magic", magic.group()[:30]
    if stripped.startswith("!"):
        return "shell", "!" + (stripped[1:].split() or [""])[0][:20]
    assigned = _MAGIC_ASSIGNMENT.match(stripped)
    if assigned:  # files = !ls, t = %timeit -o f(): named after the magic or command
        return _ipython_line(stripped[assigned.start(2) :])
    if _HELP.fullmatch(stripped):
        return "help", stripped[:30]
    return None


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a new statement."""

    def __init__(self) -> None:
        self.depth = 0  # open brackets
        self.quote = ""  # the open string's delimiter
        self.backslash = False  # the previous line ended with a continuation backslash

    @property
    def at_statement(self) -> bool:
        return self.depth == 0 and not self.quote and not self.backslash

    def feed(self, line: str) -> None:
        self.backslash, i = False, 0
        while i < len(line):
            if self.quote:
                if line[i] == "\\":
                    i += 2
                elif line.startswith(self.quote, i):
                    i, self.quote = i + len(self.quote), ""
                else:
                    i += 1
                continue
            char = line[i]
            if char == "#":
                break
            if char in "'\"":
                self.quote = line[i : i + 3] if line[i : i + 3] in ('"""', "'''") else char
                i += len(self.quote)
                continue
            if char in "([{":
                self.depth += 1
            elif char in ")]}":
                self.depth = max(0, self.depth - 1)
            elif char == "\\" and i == len(line) - 1:
                self.backslash = True
            i += 1
        if len(self.quote) == 1 and not line.endswith("\\"):
            self.quote = ""  # a one-quote string ends with its line (a syntax error ast will report)
