"""What the extraction of a notebook left out, recorded as it goes, and what the student is told about it.

grader.submission.keep records here each statement, IPython line, cell and import it does
not keep. The notes then list them (loops and `__main__` blocks always named,
since those are what would hang or train), warn about a name kept code reads
but only dropped code sets (it will be missing: NameError), and, when no
the function is kept at all, the error says where it went.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections import Counter
from typing import AbstractSet, Dict, Iterable, List, Tuple

from grader.submission.ipython import IPythonLine, without_comment
from grader.submission.names import BUILTINS, FUNCTIONS, bound_by
from grader.text import code as md_code

CELL_NUMBERS = "cells are numbered from the top of the notebook, text cells included"
SHOWN_PER_CELL = 4  # dropped statements listed per cell (loops first), the rest counted
SHOWN_CELLS = 10


class Dropped:
    """What is not kept, from the statements grader.submission.keep drops one by one, and the notes
    and error about it."""

    def __init__(self, function: str) -> None:
        self.function = function
        self.statements: Dict[int, List[Tuple[int, str]]] = {}  # cell -> [(line, "`train()` (a call)")]
        self.ipython: Dict[str, Counter] = {"shell": Counter(), "magic": Counter(), "help": Counter()}
        self.skipped: List[str] = []  # unparseable cells that define nothing
        self.unused: List[str] = []  # imported modules nothing kept uses
        self.lost: Dict[str, str] = {}  # name bound only by dropped code -> where
        self.hidden: List[str] = []  # where the function sits in dropped code

    def ipython_lines(self, found: Iterable[IPythonLine]) -> None:
        for kind, label in found:
            self.ipython[kind][label] += 1

    def cell(self, number: int, magic: str, source: str) -> None:
        """A whole cell under a cell magic that does not run its body as Python."""
        self.statements[number] = [(0, f"a `%%{magic}` cell")]
        if re.search(rf"\bdef\s+{self.function}\b", source):
            self.hidden.append(f"in cell {number} (a `%%{magic}` cell, not run as Python)")

    def statement(self, number: int, node: ast.stmt, text: str, reason: str, bound: AbstractSet[str]) -> None:
        """A statement (source `text`) not kept: listed if there is a reason ("" drops it silently);
        `bound`: names kept so far."""
        line = min([node.lineno] + [d.lineno for d in getattr(node, "decorator_list", [])])  # where text starts
        where = f"cell {number} line {line}"
        names = bound_by(node)
        for name in names - bound:
            self.lost.setdefault(name, f"{where}: {reason}" if reason else where)
        nested = {n.name for n in ast.walk(node) if isinstance(n, FUNCTIONS)}
        if self.function in nested | names:
            self.hidden.append(f"in {where} ({reason or 'a statement that defines nothing'})")
        if reason:
            self.statements.setdefault(number, []).append((line, f"{md_code(_snippet(text))} ({reason})"))

    def notes(self, read: AbstractSet[str], bound: AbstractSet[str], cells: List[int]) -> List[str]:
        """For the student, given the module-level names the kept code reads and binds, and the cells
        whose kept code defines the function."""
        notes = []
        items = self._listed()
        if items:
            notes.append(
                f"Dropped from the notebook (not run by the grader; {CELL_NUMBERS}):\n"
                + "\n".join(f"- {item}" for item in items)
            )
        if self.skipped:
            notes.append(f"Skipped, because not valid Python and defining nothing: {', '.join(self.skipped)}.")
        if len(cells) > 1:
            notes.append(
                f"`{self.function}` is defined {len(cells)} times (cells {', '.join(map(str, cells))}); "
                f"the last one, in cell {cells[-1]}, is graded."
            )
        for name in sorted(read - bound - BUILTINS):
            if name in self.lost:
                notes.append(
                    f"Warning: your code uses {md_code(name)}, but the grader does not run the statement "
                    f"that sets it ({self.lost[name]}). Define it inside the function or as a "
                    "constant; otherwise it is missing (NameError)."
                )
        return notes

    def missing(self, name: str, functions: List[str]) -> str:
        """The error for a notebook `name` whose kept code defines no the function, only `functions`."""
        message = f"the notebook {md_code(name)} defines no function named `{self.function}`"
        if functions:
            message += f" (it defines: {', '.join(f'{md_code(f)}' for f in functions[:10])})"
        else:
            message += " (it defines no functions at all)"
        if self.hidden:
            message += (
                f". `{self.function}` is defined only {self.hidden[-1]}, which the grader does not run: "
                "define it at the top level of a normal code cell"
            )
        else:
            close = (
                difflib.get_close_matches(self.function, functions, n=1, cutoff=0.6)
                or [f for f in functions if self.function.split("_")[0].lower() in f.lower()][:1]
            )
            if close:
                message += f". Did you mean to name {md_code(close[0])} `{self.function}`?"
        return message

    def _listed(self) -> List[str]:
        """The list under "Dropped from the notebook": statements by cell, IPython lines, unused imports."""
        cells = sorted(self.statements.items())  # grader.submission.keep drops some only at the end
        items = [_dropped_in_cell(number, entries) for number, entries in cells[:SHOWN_CELLS]]
        if len(cells) > SHOWN_CELLS:
            items.append(f"statements in {len(cells) - SHOWN_CELLS} more cells")
        ipython = [_counted(n, f"{md_code(label)} line") for label, n in self.ipython["shell"].most_common()]
        for kind, noun in (("magic", "magic"), ("help", "help line")):
            total = sum(self.ipython[kind].values())
            if total:
                labels = ", ".join(f"{md_code(label)}" for label in list(self.ipython[kind])[:4])
                ipython.append(f"{_counted(total, noun)} ({labels})")
        if ipython:
            items.append(", ".join(ipython))
        if self.unused:
            items.append("unused imports: " + ", ".join(f"{md_code(m)}" for m in self.unused))
        return items


def _dropped_in_cell(number: int, entries: List[Tuple[int, str]]) -> str:
    """ "cell 9: line 2 `obs, _ = env.reset()` (an assignment from a call), line 3 `while True: ...` (a loop)"."""
    if entries[0][0] == 0:  # a whole cell (a non-Python cell magic)
        return f"cell {number} ({entries[0][1]})"
    entries = sorted(entries, key=lambda entry: entry[0])
    # Loops and __main__ blocks are what hang or train: always name them.
    ranked = sorted(
        range(len(entries)), key=lambda i: ("a loop" not in entries[i][1] and "`__main__`" not in entries[i][1], i)
    )
    shown = sorted(ranked[:SHOWN_PER_CELL])
    text = ", ".join(f"line {entries[i][0]} {entries[i][1]}" for i in shown)
    more = len(entries) - len(shown)
    return f"cell {number}: {text}" + (f" and {_counted(more, 'more statement')}" if more else "")


def _counted(n: int, noun: str) -> str:
    """ "1 help line", "2 help lines"."""
    return f"{n} {noun}{'s' if n > 1 else ''}"


def _snippet(text: str, width: int = 40) -> str:
    """The statement's first line, with long call arguments shown as `(...)`."""
    lines = text.strip().splitlines() or [""]
    first = " ".join(without_comment(lines[0]).split()).replace("`", "'")
    opening = first.find("(")
    if opening >= 0:
        depth, closing = 0, -1
        for i in range(opening, len(first)):
            depth += {"(": 1, ")": -1}.get(first[i], 0)
            if depth == 0:
                closing = i
                break
        if closing < 0:  # arguments continue on the next lines
            return first[:opening] + "(...)" + (" ..." if len(lines) > 1 and first.endswith(":") else "")
        if closing - opening > 17:
            first = first[:opening] + "(...)" + first[closing + 1 :]
    if len(first) > width:
        return first[: width - 4].rstrip() + " ..."
    return first + (" ..." if len(lines) > 1 else "")
