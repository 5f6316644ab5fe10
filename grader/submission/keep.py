"""Keep, cell by cell, the statements of a notebook that define something, and join them into one module.

`keep` takes the code cells that grader.submission.notebook hands out. For each: a cell magic whose body is not Python drops the whole cell;
otherwise its IPython lines are blanked (grader.submission.ipython), the rest is parsed
with ``ast`` and each top-level statement judged (grader.submission.statements, over
grader.submission.names). A kept
statement keeps its source text, which must compile, and parse on Python 3.10
(Gradescope's) too; a dropped one is recorded for the notes (grader.submission.dropped).
At the end, imports that nothing kept uses are dropped as well, and the kept
text is joined with a `# --- cell N ---` line before each cell's part.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import Dict, FrozenSet, Iterable, List, NamedTuple, Optional, Set, Tuple

from grader.errors import LoadError
from grader.submission.dropped import CELL_NUMBERS, Dropped
from grader.submission.ipython import PYTHON_CELL_MAGICS, cell_magic, strip_ipython, without_cell_magic
from grader.submission.names import (
    BUILTINS,
    FUNCTIONS,
    Lines,
    bound_by,
    globals_read,
    import_origins,
    imported,
    read_when_run,
    segment,
)
from grader.submission.statements import judge
from grader.text import code as md_code
from grader.text import escaped

PYTHON_FLOOR = (3, 10)  # Gradescope's Python: everything kept must parse there
_MODULE_NAMES = frozenset({"__file__", "__builtins__", "__annotations__", "__cached__"})  # a module has these
# A line that would define something the grader keeps: what makes an unparseable cell worth failing on.
_DEFINES = re.compile(
    r"^\s*(async\s+def|def|class)\s|^(import|from)\s"
    r"|^[A-Za-z_]\w*\s*=\s*([-+.\d'\"\[({]|True\b|False\b|None\b|[\w.]+\s*$)",
    re.M,
)


class Kept(NamedTuple):
    cell: int
    line: int
    end_line: int
    text: str
    binds: FrozenSet[str]
    module: Optional[str]  # what an import statement imports, None for anything else
    node: ast.stmt


def keep(
    cells: Iterable[Tuple[int, str]], name: str, folder: Path, function: str, also: Tuple[str, ...] = ()
) -> Tuple[str, List[str]]:
    """The Python source to run for a notebook's code cells (numbered as grader.submission.notebook
    numbers them), and the notes for the student on what was dropped. name: the notebook's file name,
    for messages; folder: where it is; also: the exercise's other parts' functions, served as function is."""
    keeper = Keeper(name, folder, function, also)
    for number, source in cells:
        keeper.cell(number, source)
    return keeper.result()


class Keeper:
    """Feed it the code cells in order (`cell`), then take the code to run and the notes (`result`)."""

    def __init__(self, name: str, folder: Path, function: str, also: Tuple[str, ...] = ()) -> None:
        self.function = function  # the one the contract names: what is kept serves it
        self.also = also  # the exercise's other parts' functions, served too where the notebook binds them
        self.name, self.folder = name, folder  # the notebook's file name, for messages; where it is
        self.future: List[str] = []  # `from __future__` imports, hoisted
        self.kept: List[Kept] = []
        self.bound: Set[str] = set()  # names bound by kept code so far
        self.origins: Dict[str, str] = {}  # what kept imports bound names to, for known-safe constructors
        self.star = False  # a kept `import *` may bind anything
        self.definitions: List[int] = []  # cells whose kept code binds the function
        self.functions: Dict[str, None] = {}  # top-level functions kept (ordered), named if the function is missing
        self.dropped = Dropped(function)

    def cell(self, number: int, source: str) -> None:
        """Keep what the code cell `number` (counted from the top, text cells included) defines."""
        magic = cell_magic(source)
        if magic is not None:
            self.dropped.ipython_lines([("magic", f"%%{magic}")])
            if magic not in PYTHON_CELL_MAGICS:
                self.dropped.cell(number, magic, source)
                return
            source = without_cell_magic(source)
        code, found = strip_ipython(source)
        self.dropped.ipython_lines(found)
        tree = self._parse(number, code)
        lines = Lines(code)
        for node in tree.body if tree else []:
            try:
                self._statement(number, lines, node)
            except RecursionError:  # e.g. a 100000-term sum: not a definition anyone needs
                self.dropped.statement(number, node, segment(lines, node), "too deeply nested to analyse", self.bound)

    def result(self) -> Tuple[str, List[str]]:
        """The Python source to run, and the notes for the student on what was dropped."""
        if not self.definitions:
            raise LoadError(self.dropped.missing(self.name, list(self.functions)))
        analysed = self._analysed()
        self._drop_what_would_fail(analysed)
        self._drop_unused_imports(analysed)
        read = set().union(*(analysed[k][0] for k in self.kept))
        bound = set().union(*(analysed[k][1] for k in self.kept))
        return self._code(), self.dropped.notes(read, bound, self.definitions)

    def _parse(self, number: int, code: str) -> Optional[ast.Module]:
        """The cell's syntax tree, or None for a cell that is not Python but defines nothing (skipped)."""
        try:
            return ast.parse(code, filename=f"cell {number}")
        except SyntaxError as exc:
            self._unparseable(number, code, exc.lineno or 0, exc.msg, exc.text)
        except (ValueError, RecursionError, MemoryError) as exc:
            why = {"RecursionError": "too deeply nested", "MemoryError": "too large"}.get(type(exc).__name__, str(exc))
            self._unparseable(number, code, 0, f"Python's parser cannot read it: {why}", None)
        return None

    def _unparseable(self, number: int, code: str, line: int, msg: str, text: Optional[str]) -> None:
        # A cell with a syntax error runs nothing at all in Jupyter or Colab, so
        # the student's the function cannot come from it. If it defines nothing
        # (a scratch cell, a half-typed experiment) skipping it changes nothing
        # and failing would punish them for leftovers. If it mentions
        # the function or defines something, the definition they tested is not the
        # text they handed in (or a helper it needs is missing), and guessing
        # would grade something else: fail, and say exactly where.
        if re.search(rf"\b{self.function}\b", code) or _DEFINES.search(code):
            at = f", line {line}" if line else ""
            raise LoadError(
                f"syntax error in {md_code(self.name)}, cell {number} ({CELL_NUMBERS}){at}: {escaped(msg)}{_shown(text)}"
            )
        self.dropped.skipped.append(f"cell {number} ({f'line {line}: ' if line else ''}{escaped(msg)})")

    def _statement(self, number: int, lines: Lines, node: ast.stmt) -> None:
        """Keep the statement's source text, or record why it was dropped."""
        reason = judge(
            node, bound=self.bound, star=self.star, folder=self.folder, function=self.function, origins=self.origins
        )
        text = segment(lines, node)
        if reason is not None:
            self.dropped.statement(number, node, text, reason, self.bound)
            return
        self._check_kept(number, node.lineno, text)
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            self.future.append(text)
            return
        names = bound_by(node)
        self.kept.append(
            Kept(number, node.lineno, node.end_lineno or node.lineno, text, frozenset(names), imported(node), node)
        )
        self.bound |= names
        self.origins = {k: v for k, v in self.origins.items() if k not in names} | import_origins(node)
        self.star = self.star or "*" in names
        if isinstance(node, FUNCTIONS):
            self.functions.setdefault(node.name)
        if self.function in names:
            self.definitions.append(number)

    def _check_kept(self, number: int, first_line: int, text: str) -> None:
        """Kept code must compile, and parse on Python 3.10 as well (Gradescope's Python)."""
        where = f"{md_code(self.name)}, cell {number} ({CELL_NUMBERS})"
        problem = "syntax error"
        try:
            compile(text, f"cell {number}", "exec", dont_inherit=True)  # compiles; runs nothing
            problem = "uses syntax that Python 3.10, the grader's Python, does not have"  # but this one runs it
            ast.parse(text, feature_version=PYTHON_FLOOR)
        except SyntaxError as exc:
            line = first_line + (exc.lineno or 1) - 1
            raise LoadError(f"{problem} in {where}, line {line}: {escaped(exc.msg)}{_shown(exc.text)}") from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise LoadError(f"{where}, line {first_line}, cannot be compiled ({type(exc).__name__})") from None

    def _analysed(self) -> Dict[Kept, Tuple[Set[str], Set[str]]]:
        """Each kept statement's (module-level names read anywhere, names bound), one symbol table each:
        symtable's lookups in one module are quadratic in the number of its functions."""
        future = "".join(f"{text}\n" for text in self.future)  # postponed annotations are not read
        return {kept: globals_read(future + kept.text) for kept in self.kept}

    def _drop_what_would_fail(self, analysed: Dict[Kept, Tuple[Set[str], Set[str]]]) -> None:
        # A def runs its decorators and default values at import: `def f(x, dev=device)`
        # after a dropped `device = torch.device(...)` fails the whole import with a
        # NameError, although the function may not need f. Drop such statements (and
        # those that then fail in turn) unless the function needs them; those it needs
        # stay, and the notes warn about the missing name.
        if self.star:
            return  # a kept `import *` may bind anything
        needed = self._needed(analysed)
        annotations = not any("annotations" in text for text in self.future)
        bound: Set[str] = set(_MODULE_NAMES)
        failing: Dict[Kept, str] = {}
        for kept in self.kept:
            missing = sorted(read_when_run(kept.node, annotations) - bound - BUILTINS)
            if missing and kept not in needed:
                failing[kept] = missing[0]
            else:
                bound |= kept.binds
        self.kept = [k for k in self.kept if k not in failing]
        lost = set(self.dropped.lost) | set().union(*(k.binds for k in failing))
        for kept, name in failing.items():
            why = "which is dropped" if name in lost else "which is not defined before it"
            self.dropped.statement(
                kept.cell,
                kept.node,
                kept.text,
                f"uses {md_code(name)} when defined, {why}, and `{self.function}` does not need it",
                bound,
            )

    def _needed(self, analysed: Dict[Kept, Tuple[Set[str], Set[str]]]) -> Set[Kept]:
        """The kept statements the function needs: the last that binds it, those binding what it reads, and so on."""
        binders: Dict[str, List[Kept]] = {}
        for kept in self.kept:
            for name in kept.binds:
                binders.setdefault(name, []).append(kept)
        roots = [binders[name][-1] for name in (self.function, *self.also) if name in binders]
        needed = set(roots)
        names, seen = [name for root in roots for name in analysed[root][0]], set()
        while names:
            name = names.pop()
            if name in seen:
                continue
            seen.add(name)
            for kept in binders.get(name, []):
                if kept not in needed:
                    needed.add(kept)
                    names.extend(analysed[kept][0])
        return needed

    def _drop_unused_imports(self, analysed: Dict[Kept, Tuple[Set[str], Set[str]]]) -> None:
        # A notebook imports plotting, gym and Colab helpers for its training
        # cells; importing them in the sandbox costs time and memory (and
        # prints warnings) for no purpose.
        used = set().union(*(analysed[k][0] for k in self.kept)) | {self.function, *self.also}
        unused = {k for k in self.kept if k.module and "*" not in k.binds and not k.binds & used}
        self.dropped.unused = list(dict.fromkeys(k.module for k in self.kept if k in unused and k.module))
        self.kept = [k for k in self.kept if k not in unused]

    def _code(self) -> str:
        parts = [
            f"# Extracted by the grader from `{self.name}`: imports, definitions and constants only; {CELL_NUMBERS}."
        ]
        parts += self.future
        text, cell, last = "", 0, 0
        for kept in self.kept:
            if kept.cell != cell:
                parts.append(text)
                text, cell = f"# --- cell {kept.cell} ---\n{kept.text}", kept.cell
            else:  # statements on consecutive lines stay together, others get a blank line between
                text += ("\n" if kept.line <= last + 1 else "\n\n") + kept.text
            last = kept.end_line
        parts.append(text)
        return "\n\n".join(part for part in parts if part) + "\n"


def _shown(text: Optional[str], width: int = 100) -> str:
    """ ": `the offending line`" for an error message, cut to a readable length."""
    text = " ".join((text or "").split())
    return f": {md_code(text[:width] + (' ...' if len(text) > width else ''))}" if text else ""
