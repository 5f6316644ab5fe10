"""Extract a submission from a Jupyter or Colab notebook, statically.

Nothing in the notebook runs here: the file is read as bytes, parsed by
nbformat, and each code cell is parsed by ``ast``. What the sandbox later runs
is only what a module needs in order to *define* ``pseudo_loss``:

- top-level imports (of modules the grader has), function and class
  definitions, and simple constant assignments: literals, aliases such as
  ``F = torch.nn.functional``, arithmetic on those, lambdas;
- everything else (calls, loops, ``if``/``try``/``with`` blocks, assignments
  from calls, IPython magics, ``!shell`` lines, ``obj?`` help lines) is
  dropped and listed in the notes, so the student knows what was not run.

Cells are numbered from 1, counting every cell from the top of the notebook,
text cells included: that is what a student scrolling the notebook counts, and
neither Jupyter nor Colab shows another number that stays put (execution
counts change on every run).
"""
from __future__ import annotations

import ast
import builtins
import difflib
import importlib.util
import json
import re
import symtable
import sys
import textwrap
import warnings
from collections import Counter
from pathlib import Path
from typing import Dict, FrozenSet, List, NamedTuple, Optional, Set, Tuple

from grader.child import FUNCTION
from grader.load import LoadError

# Not load.read_text's 2 MB: outputs (plots, a CartPole video) easily make a
# notebook larger than that, and they are ignored anyway.
NOTEBOOK_MAX_BYTES = 16 * 1024 * 1024
PYTHON_FLOOR = (3, 10)       # Gradescope's Python: everything kept must parse there
# Cell magics whose body is Python run in the notebook's own namespace, so the
# definitions in it exist afterwards. Any other cell magic (%%bash, %%writefile,
# %%html, %%timeit, whose body runs inside a function, %%python, which runs in
# another process, ...) leaves no definitions behind: its whole cell is dropped.
PYTHON_CELL_MAGICS = frozenset({"time", "capture", "prun"})
NOTEBOOK_ONLY_MODULES = ("google.colab", "IPython", "ipywidgets")
SHOWN_PER_CELL = 4   # dropped statements listed per cell (loops first), the rest counted
SHOWN_CELLS = 10
CELL_NUMBERS = "cells are numbered from the top of the notebook, text cells included"
BUILTINS = frozenset(dir(builtins))

_MAGIC_ASSIGNMENT = re.compile(r"[A-Za-z_][\w.]*(\s*,\s*[A-Za-z_][\w.]*)*\s*=\s*([!%])")
_HELP = re.compile(r"\?.*|[^#'\"]*\?")
# A line that would define something the grader keeps: what makes an unparseable cell worth failing on.
_DEFINES = re.compile(r"^\s*(async\s+def|def|class)\s|^(import|from)\s"
                      r"|^[A-Za-z_]\w*\s*=\s*([-+.\d'\"\[({]|True\b|False\b|None\b|[\w.]+\s*$)", re.M)


def extract(path: Path) -> Tuple[str, List[str]]:
    """The Python source to run for a notebook, and notes for the student on what was dropped."""
    cells, problem = _cells(_read(path), path.name)
    return _Extractor(path, cells, problem).run()


def _read(path: Path) -> str:
    with path.open("rb") as handle:
        data = handle.read(NOTEBOOK_MAX_BYTES + 1)
    name = path.name
    if len(data) > NOTEBOOK_MAX_BYTES:
        raise LoadError(f"`{name}` is larger than {NOTEBOOK_MAX_BYTES >> 20} MB: clear its outputs "
                        "(Edit → Clear all outputs) and submit it again")
    if not data.strip():
        raise LoadError(f"`{name}` is empty")
    if b"\0" in data:
        raise LoadError(f"`{name}` is a binary file, not a notebook")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(f"`{name}` is not a valid notebook: byte {exc.start} is not UTF-8 text") from None


def _cells(text: str, name: str) -> Tuple[list, str]:
    """The notebook's cells (as version 4), and what strict validation found wrong ("" if nothing)."""
    import nbformat  # only when a notebook shows up

    # nbformat.reads(text, as_version=4) in its three steps: it would log every
    # validation failure as an ERROR, and here those are not errors (below).
    try:
        notebook = nbformat.convert(nbformat.reader.reads(text), 4)
    except nbformat.reader.NotJSONError as exc:
        raise LoadError(_json_problem(text, name, exc.__cause__)) from None
    except Exception as exc:  # unknown version, missing keys, JSON that is not a notebook at all
        raise LoadError(f"`{name}` is not a notebook the grader can read ({type(exc).__name__}: "
                        f"{_first_line(exc)})") from None
    # Validation failures are deliberately not fatal. Colab, VS Code and Kaggle
    # write notebooks that do not always validate strictly (a code cell without
    # `outputs` or `execution_count`, a cell without an id, extra keys in
    # outputs or widget state), and none of that matters here: only each code
    # cell's source is used, and that is parsed with ast below. Rejecting such a
    # notebook would fail a student for their editor's quirk, with nothing for
    # them to fix, so there is no note either. What is needed is checked
    # instead (a list of cells; code cells with text sources, see _source), and
    # the validation message is added to that error when one comes.
    problem = ""
    with warnings.catch_warnings():  # "cell is missing an id field" and the like
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(notebook)
        except nbformat.ValidationError as exc:
            problem = _first_line(exc)
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise LoadError(f"`{name}` is not a valid notebook: it has no list of cells")
    return cells, problem


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [""])[0][:200]


def _json_problem(text: str, name: str, cause: Optional[BaseException]) -> str:
    advice = "Download it again (in Colab: File → Download → Download .ipynb) and submit that file."
    if not isinstance(cause, json.JSONDecodeError):
        return f"`{name}` is not a valid notebook: its JSON cannot be read. {advice}"
    where = f"line {cause.lineno}, column {cause.colno}: {cause.msg}"
    if cause.pos >= len(text.rstrip()) or cause.msg.startswith("Unterminated string"):
        return (f"`{name}` is not a valid notebook: it stops in the middle of its JSON ({where}); "
                f"it looks truncated. {advice}")
    if not text.lstrip().startswith(("{", "[")) and _parses(text):
        return (f"`{name}` is not a notebook: it contains Python source, not notebook JSON. "
                "Rename it to `.py` or submit the notebook itself.")
    return f"`{name}` is not a valid notebook: its JSON is corrupt ({where}). {advice}"


def _parses(text: str, compiles: bool = False) -> bool:
    """Whether this Python parses (and compiles, which runs nothing) as the running interpreter sees it."""
    try:
        ast.parse(text)
        if compiles:
            compile(text, "<kept>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False
    return True


class _Scanner:
    """Just enough of Python's tokenizer to know whether a line starts a new statement."""

    def __init__(self) -> None:
        self.depth = 0          # open brackets
        self.quote = ""         # the open string's delimiter
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
                self.quote = line[i:i + 3] if line[i:i + 3] in ('"""', "'''") else char
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


def _ipython_line(stripped: str) -> Optional[Tuple[str, str]]:
    """(kind, label) for a line IPython would rewrite before Python sees it, else None."""
    if stripped.startswith("%"):
        return "magic", re.match(r"%+\w*", stripped).group()[:30]
    if stripped.startswith("!"):
        return "shell", "!" + (stripped[1:].split() or [""])[0][:20]
    assigned = _MAGIC_ASSIGNMENT.match(stripped)
    if assigned:  # files = !ls, t = %timeit -o f()
        rest = stripped[assigned.end(2) - 1:]
        return ("magic", re.match(r"%+\w*", rest).group()[:30]) if rest.startswith("%") else \
               ("shell", "!" + (rest[1:].split() or [""])[0][:20])
    if _HELP.fullmatch(stripped):
        return "help", stripped[:30]
    return None


def _strip_ipython(source: str) -> Tuple[str, List[Tuple[str, str]]]:
    """Blank out magics, shell and help lines (an indented one becomes `pass`), keeping line numbers."""
    kept, found, scanner = [], [], _Scanner()
    previous = ""  # the last line of code kept, to tell a block body from a stray indent
    for line in source.splitlines():
        special = _ipython_line(line.strip()) if scanner.at_statement and line.strip() else None
        if special:
            found.append(special)
            indent = line[:len(line) - len(line.lstrip())]
            in_block = indent and (previous.endswith(":") or previous[:1].isspace())
            kept.append(indent + "pass  # an IPython line, dropped" if in_block else "")
            continue
        scanner.feed(line)
        kept.append(line)
        bare = line.split("#")[0].rstrip() if "'" not in line and '"' not in line else line.rstrip()
        previous = bare or previous
    code = "\n".join(kept)
    first = next((line for line in kept if line.strip()), "")
    if first[:1].isspace():  # IPython strips a cell's leading indentation; so do we
        code = textwrap.dedent(code)
    return code, found


def _cell_magic(source: str) -> Optional[str]:
    first = next((line.strip() for line in source.splitlines() if line.strip()), "")
    return re.match(r"%%(\w*)", first).group(1) if first.startswith("%%") else None


def _source(cell: dict, number: int, name: str, problem: str) -> str:
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str):
        why = f"; nbformat says: {problem}" if problem else ""
        raise LoadError(f"`{name}` is damaged: the source of cell {number} is not text ({CELL_NUMBERS}{why})")
    return source


class _Kept(NamedTuple):
    cell: int
    line: int
    end_line: int
    text: str
    binds: FrozenSet[str]
    module: Optional[str]  # what an import statement imports, None for anything else


class _Extractor:
    def __init__(self, path: Path, cells: list, problem: str) -> None:
        self.path, self.name, self.cells, self.problem = path, path.name, cells, problem
        self.future: List[str] = []                         # `from __future__` imports, hoisted
        self.kept: List[_Kept] = []
        self.unused: List[str] = []                         # imported modules nothing kept uses
        self.dropped: Dict[int, List[Tuple[int, str]]] = {}  # cell -> [(line, "`train()` (a call)")]
        self.ipython: Dict[str, Counter] = {"shell": Counter(), "magic": Counter(), "help": Counter()}
        self.skipped: List[str] = []                        # unparseable cells that define nothing
        self.bound: Set[str] = set()                        # names bound by kept code so far
        self.star = False                                   # a kept `import *` may bind anything
        self.definitions: List[int] = []                    # cells whose kept code binds pseudo_loss
        self.functions: List[str] = []
        self.lost: Dict[str, str] = {}                      # name bound only by dropped code -> where
        self.hidden: List[str] = []                         # where pseudo_loss sits in dropped code

    def run(self) -> Tuple[str, List[str]]:
        for number, cell in enumerate(self.cells, start=1):
            if isinstance(cell, dict) and cell.get("cell_type") == "code":
                self._cell(number, _source(cell, number, self.name, self.problem))
        if not self.definitions:
            raise LoadError(self._missing())
        # Imports nothing kept uses are dropped too: a notebook imports plotting,
        # gym and Colab helpers for its training cells, and importing them in the
        # sandbox costs time and memory (and prints warnings) for no purpose.
        used = _globals_read(self._code())[0] | {FUNCTION}
        unused = [k for k in self.kept if k.module and "*" not in k.binds and not k.binds & used]
        self.unused = list(dict.fromkeys(k.module for k in unused))
        self.kept = [k for k in self.kept if k not in unused]
        code = self._code()
        return code, self._notes(code)

    def _cell(self, number: int, source: str) -> None:
        magic = _cell_magic(source)
        if magic is not None:
            self.ipython["magic"][f"%%{magic}"] += 1
            if magic not in PYTHON_CELL_MAGICS:
                self.dropped[number] = [(0, f"a `%%{magic}` cell")]
                if re.search(rf"\bdef\s+{FUNCTION}\b", source):
                    self.hidden.append(f"in cell {number} (a `%%{magic}` cell, not run as Python)")
                return
            source = re.sub(r"^\s*%%[^\n]*", lambda m: "\n" * m.group().count("\n"), source, count=1)
        code, found = _strip_ipython(source)
        for kind, label in found:
            self.ipython[kind][label] += 1
        try:
            tree = ast.parse(code, filename=f"cell {number}")
        except SyntaxError as exc:
            return self._unparseable(number, code, exc.lineno or 0, exc.msg, exc.text)
        except (ValueError, RecursionError, MemoryError) as exc:
            why = {"RecursionError": "too deeply nested", "MemoryError": "too large"}.get(type(exc).__name__, str(exc))
            return self._unparseable(number, code, 0, f"Python's parser cannot read it: {why}", None)
        for node in tree.body:
            try:
                self._statement(number, code, node)
            except RecursionError:  # e.g. a 100000-term sum: not a definition anyone needs
                self._drop(number, code, node, "too deeply nested to analyse")

    def _unparseable(self, number: int, code: str, line: int, msg: str, text: Optional[str]) -> None:
        # A cell with a syntax error runs nothing at all in Jupyter or Colab, so
        # the student's pseudo_loss cannot come from it. If it defines nothing
        # (a scratch cell, a half-typed experiment) skipping it changes nothing
        # and failing would punish them for leftovers. If it mentions
        # pseudo_loss or defines something, the definition they tested is not the
        # text they handed in (or a helper it needs is missing), and guessing
        # would grade something else: fail, and say exactly where.
        if re.search(rf"\b{FUNCTION}\b", code) or _DEFINES.search(code):
            at = f", line {line}" if line else ""
            raise LoadError(f"syntax error in `{self.name}`, cell {number} ({CELL_NUMBERS}){at}: {msg}{_shown(text)}")
        self.skipped.append(f"cell {number} ({f'line {line}: ' if line else ''}{msg})")

    def _statement(self, number: int, code: str, node: ast.stmt) -> None:
        """Keep the statement's source text, or record why it was dropped."""
        reason = self._judge(node)
        if reason is not None:
            return self._drop(number, code, node, reason)
        text = _segment(code, node)
        self._check_kept(number, node.lineno, text)
        if isinstance(node, ast.ImportFrom) and node.module == "__future__":
            self.future.append(text)
            return None
        names = _bound_by(node)
        module = None
        if isinstance(node, ast.Import):
            module = ", ".join(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            module = node.module
        self.kept.append(_Kept(number, node.lineno, node.end_lineno or node.lineno, text, frozenset(names), module))
        self.bound |= names
        self.star = self.star or "*" in names
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name not in self.functions:
            self.functions.append(node.name)
        if FUNCTION in names:
            self.definitions.append(number)
        return None

    def _judge(self, node: ast.stmt) -> Optional[str]:
        """None to keep the statement, "" to drop it silently, else why it is dropped."""
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            return None
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            return self._judge_import(node)
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            return self._judge_assignment(node)
        if isinstance(node, ast.Pass) or (isinstance(node, ast.Expr) and
                                          isinstance(node.value, (ast.Constant, ast.Name, ast.Attribute))):
            return ""  # a docstring or a value shown as the cell's output: no effect
        if isinstance(node, ast.Expr):
            return "a call" if any(isinstance(n, ast.Call) for n in ast.walk(node)) else "an expression"
        if isinstance(node, ast.If) and _is_main_check(node.test):
            return "the `__main__` block"
        kinds = {ast.For: "a loop", ast.AsyncFor: "a loop", ast.While: "a loop", ast.If: "an `if` block",
                 ast.Try: "a `try` block", ast.With: "a `with` block", ast.AsyncWith: "a `with` block",
                 ast.AugAssign: "an update of a variable", ast.Delete: "a `del`", ast.Assert: "an `assert`",
                 ast.Raise: "a `raise`", ast.Return: "a `return`"}
        if sys.version_info >= (3, 11):
            kinds[ast.TryStar] = "a `try` block"
        return kinds.get(type(node), "a statement that defines nothing")

    def _judge_import(self, node) -> Optional[str]:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                return "a relative import"
            modules = [node.module or ""]
        else:
            modules = [alias.name for alias in node.names]
        # An import the sandbox cannot satisfy would fail the whole submission,
        # although notebooks routinely import Colab helpers or a plotting
        # library that pseudo_loss never uses. Drop it and say so; if a kept
        # definition does use it, the NameError warning in the notes explains.
        for module in modules:
            if any(module == m or module.startswith(m + ".") for m in NOTEBOOK_ONLY_MODULES):
                return f"`{module}` exists only inside a notebook"
            if not self._available(module.split(".")[0]):
                return f"`{module.split('.')[0]}` is not installed on the grader"
        return None

    def _available(self, top: str) -> bool:
        if top == "__future__" or top in sys.builtin_module_names:
            return True
        folder = self.path.parent  # a folder submission ships its .py files beside the notebook
        if (folder / f"{top}.py").is_file() or (folder / top / "__init__.py").is_file():
            return True
        try:  # finds the top-level package on sys.path without importing anything
            return importlib.util.find_spec(top) is not None
        except (ImportError, ValueError):
            return False

    def _judge_assignment(self, node) -> Optional[str]:
        targets = node.targets if isinstance(node, ast.Assign) else [node.target]
        if not all(_plain_target(target) for target in targets):
            return "an assignment to an attribute or item"
        if node.value is None:
            return ""  # a bare annotation `x: int` binds nothing
        if not _simple(node.value):
            calls = any(isinstance(n, ast.Call) for n in ast.walk(node.value))
            return "an assignment from a call" if calls else "a computed assignment"
        used = _loaded(node.value) | (_loaded(node.annotation) if isinstance(node, ast.AnnAssign) else set())
        missing = sorted(used - self.bound - BUILTINS)
        if missing and not self.star:
            return f"uses `{missing[0]}`, which is dropped"
        return None

    def _drop(self, number: int, code: str, node: ast.stmt, reason: str) -> None:
        where = f"cell {number} line {node.lineno}"
        for name in _bound_by(node) - self.bound:
            self.lost.setdefault(name, f"{where}: {reason}" if reason else where)
        nested = {n.name for n in ast.walk(node) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
        if FUNCTION in nested | _bound_by(node):
            self.hidden.append(f"in {where} ({reason or 'a statement that defines nothing'})")
        if reason:
            self.dropped.setdefault(number, []).append(
                (node.lineno, f"`{_snippet(_segment(code, node))}` ({reason})"))

    def _check_kept(self, number: int, first_line: int, text: str) -> None:
        """Kept code must compile, and parse on Python 3.10 as well (Gradescope's Python)."""
        where = f"`{self.name}`, cell {number} ({CELL_NUMBERS})"
        try:
            compile(text, f"cell {number}", "exec", dont_inherit=True)  # compiles; runs nothing
            ast.parse(text, feature_version=PYTHON_FLOOR)
        except SyntaxError as exc:
            line = first_line + (exc.lineno or 1) - 1
            newer = _parses(text, compiles=True)
            problem = "uses syntax that Python 3.10, the grader's Python, does not have" if newer else "syntax error"
            raise LoadError(f"{problem} in {where}, line {line}: {exc.msg}{_shown(exc.text)}") from None
        except (ValueError, RecursionError, MemoryError) as exc:
            raise LoadError(f"{where}, line {first_line}, cannot be compiled ({type(exc).__name__})") from None

    def _missing(self) -> str:
        message = f"the notebook `{self.name}` defines no function named `{FUNCTION}`"
        if self.functions:
            message += f" (it defines: {', '.join(f'`{f}`' for f in self.functions[:10])})"
        else:
            message += " (it defines no functions at all)"
        if self.hidden:
            message += (f". `{FUNCTION}` is defined only {self.hidden[-1]}, which the grader does not run: "
                        "define it at the top level of a normal code cell")
        else:
            close = difflib.get_close_matches(FUNCTION, self.functions, n=1, cutoff=0.6) or \
                [f for f in self.functions if "pseudo" in f.lower()][:1]
            if close:
                message += f". Did you mean to name `{close[0]}` `{FUNCTION}`?"
        return message

    def _code(self) -> str:
        parts = [f"# Extracted by the grader from `{self.name}`: imports, definitions and constants only; "
                 f"{CELL_NUMBERS}."]
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

    def _notes(self, code: str) -> List[str]:
        notes = []
        items = [_dropped_in_cell(number, entries) for number, entries in list(self.dropped.items())[:SHOWN_CELLS]]
        if len(self.dropped) > SHOWN_CELLS:
            items.append(f"statements in {len(self.dropped) - SHOWN_CELLS} more cells")
        ipython = [f"{n} `{label}` line{'s' if n > 1 else ''}" for label, n in self.ipython["shell"].most_common()]
        for kind, noun in (("magic", "magic"), ("help", "help line")):
            total = sum(self.ipython[kind].values())
            if total:
                labels = ", ".join(f"`{label}`" for label in list(self.ipython[kind])[:4])
                ipython.append(f"{total} {noun}{'s' if total > 1 else ''} ({labels})")
        if ipython:
            items.append(", ".join(ipython))
        if self.unused:
            items.append("unused imports: " + ", ".join(f"`{m}`" for m in self.unused))
        if items:
            notes.append(f"Dropped from the notebook (not run by the grader; {CELL_NUMBERS}):\n"
                         + "\n".join(f"- {item}" for item in items))
        if self.skipped:
            notes.append(f"Skipped, because not valid Python and defining nothing: {', '.join(self.skipped)}.")
        cells = self.definitions
        if len(cells) > 1:
            notes.append(f"`{FUNCTION}` is defined {len(cells)} times (cells {', '.join(map(str, cells))}); "
                         f"the last one, in cell {cells[-1]}, is graded.")
        read, bound = _globals_read(code)
        for name in sorted(read - bound - BUILTINS):
            if name in self.lost:
                notes.append(f"Warning: your code uses `{name}`, but the grader does not run the statement "
                             f"that sets it ({self.lost[name]}). Define it inside the function or as a "
                             "constant; otherwise it is missing (NameError).")
        return notes


def _shown(text: Optional[str], width: int = 100) -> str:
    """": `the offending line`" for an error message, cut to a readable length."""
    text = " ".join((text or "").split()).replace("`", "'")
    return f": `{text[:width]}{' ...' if len(text) > width else ''}`" if text else ""


def _segment(code: str, node: ast.stmt) -> str:
    """The statement's original text; a decorated definition starts at its first decorator."""
    decorators = getattr(node, "decorator_list", None)
    if decorators or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        first = min([node.lineno] + [d.lineno for d in decorators])
        return "\n".join(code.splitlines()[first - 1:node.end_lineno])
    return ast.get_source_segment(code, node) or ""


def _dropped_in_cell(number: int, entries: List[Tuple[int, str]]) -> str:
    """"cell 9: line 2 `obs, _ = env.reset()` (an assignment from a call), line 3 `while True: ...` (a loop)"."""
    if entries[0][0] == 0:  # a whole cell (a non-Python cell magic)
        return f"cell {number} ({entries[0][1]})"
    # Loops and __main__ blocks are what hang or train: always name them.
    ranked = sorted(range(len(entries)), key=lambda i: ("a loop" not in entries[i][1]
                                                        and "`__main__`" not in entries[i][1], i))
    shown = sorted(ranked[:SHOWN_PER_CELL])
    text = ", ".join(f"line {entries[i][0]} {entries[i][1]}" for i in shown)
    more = len(entries) - len(shown)
    return f"cell {number}: {text}" + (f" and {more} more statement{'s' if more > 1 else ''}" if more else "")


def _snippet(text: str, width: int = 40) -> str:
    """The statement's first line, with long call arguments shown as `(...)`."""
    lines = text.strip().splitlines() or [""]
    first = lines[0] if "'" in lines[0] or '"' in lines[0] else lines[0].split("#")[0]
    first = " ".join(first.split()).replace("`", "'")
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
            first = first[:opening] + "(...)" + first[closing + 1:]
    if len(first) > width:
        return first[:width - 4].rstrip() + " ..."
    return first + (" ..." if len(lines) > 1 else "")


def _plain_target(node: ast.expr) -> bool:
    if isinstance(node, (ast.Tuple, ast.List)):
        return all(_plain_target(element) for element in node.elts)
    if isinstance(node, ast.Starred):
        return _plain_target(node.value)
    return isinstance(node, ast.Name)


def _simple(node: ast.expr) -> bool:
    """A literal, a name or dotted alias, arithmetic on those, or a lambda: nothing is called."""
    try:
        ast.literal_eval(node)
        return True
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        pass
    if isinstance(node, ast.Lambda):
        return all(_simple(d) for d in node.args.defaults + [d for d in node.args.kw_defaults if d])
    if isinstance(node, (ast.Constant, ast.Name)):
        return True
    if isinstance(node, ast.Attribute):
        return isinstance(node.value, (ast.Name, ast.Attribute)) and _simple(node.value)
    if isinstance(node, ast.BinOp):
        return _simple(node.left) and _simple(node.right)
    if isinstance(node, ast.UnaryOp):
        return _simple(node.operand)
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return all(_simple(element) for element in node.elts)
    return False


def _loaded(node: ast.expr) -> Set[str]:
    """Names an expression reads when evaluated (a lambda's body is read later, when it is called)."""
    if isinstance(node, ast.Lambda):
        return set().union(*(_loaded(d) for d in node.args.defaults + [d for d in node.args.kw_defaults if d]))
    if isinstance(node, ast.Name):
        return {node.id}
    return set().union(*(_loaded(child) for child in ast.iter_child_nodes(node)))


def _bound_by(node: ast.AST) -> Set[str]:
    """Module-level names a statement binds (not those local to functions or classes inside it)."""
    names: Set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(current.name)
            continue
        if isinstance(current, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(current, ast.Name) and isinstance(current.ctx, ast.Store):
            names.add(current.id)
        elif isinstance(current, ast.alias):
            names.add(current.asname or current.name.split(".")[0])
        stack.extend(ast.iter_child_nodes(current))
    return names


def _is_main_check(test: ast.expr) -> bool:
    return (isinstance(test, ast.Compare) and isinstance(test.left, ast.Name) and test.left.id == "__name__"
            and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators))


def _globals_read(code: str) -> Tuple[Set[str], Set[str]]:
    """(module-level names the code reads anywhere, names it binds at module level), from symbol tables."""
    try:
        table = symtable.symtable(code, "submission.py", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return set(), set()
    symbols = table.get_symbols()
    bound = {s.get_name() for s in symbols if s.is_assigned() or s.is_imported() or s.is_namespace()}
    read = {s.get_name() for s in symbols if s.is_referenced()}
    stack = list(table.get_children())
    while stack:
        scope = stack.pop()
        stack.extend(scope.get_children())
        read |= {s.get_name() for s in scope.get_symbols() if s.is_global() and s.is_referenced()}
    return read, bound
