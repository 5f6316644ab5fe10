"""What a statement binds and reads, and its source text, from its syntax tree alone.

grader.submission.statements judges a statement by these, grader.submission.keep
keeps its text and checks that what it reads is bound, and grader.submission.dropped
names what a dropped one would have bound. Nothing here runs or imports the code.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from typing import Dict, List, Optional, Set, Tuple

from grader.submission.ipython import python_lines

BUILTINS = frozenset(dir(builtins))
FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)
DEFINITIONS = FUNCTIONS + (ast.ClassDef,)
PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)  # what ast and compile raise on bad code


def imported(node: ast.stmt) -> Optional[str]:
    """What an import statement imports ("torch, numpy", "torch.nn"); None for any other statement."""
    if isinstance(node, ast.Import):
        return ", ".join(alias.name for alias in node.names)
    if isinstance(node, ast.ImportFrom):
        return node.module
    return None


def import_origins(node: ast.stmt) -> Dict[str, str]:
    """The dotted path each name an import binds stands for: `from torch import nn` binds nn to
    torch.nn, `import torch.nn` binds torch to torch."""
    if isinstance(node, ast.Import):
        return {a.asname or a.name.split(".")[0]: a.name if a.asname else a.name.split(".")[0] for a in node.names}
    if isinstance(node, ast.ImportFrom) and not node.level and node.module:
        return {a.asname or a.name: f"{node.module}.{a.name}" for a in node.names if a.name != "*"}
    return {}


def bound_by(node: ast.AST) -> Set[str]:
    """Module-level names a statement binds (not those local to functions or classes inside it)."""
    names: Set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, DEFINITIONS):
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


class Lines:
    """A cell's lines as ast numbers them (only \\n, \\r\\n and \\r end a line), split once, for `segment`.

    ast.get_source_segment splits the whole cell again on every call: quadratic
    in a cell of thousands of statements. Lines are encoded once, when needed,
    for the same reason (many `;`-separated statements on one line).
    """

    def __init__(self, code: str) -> None:
        self.text = python_lines(code)
        self._encoded: Dict[int, bytes] = {}

    def encoded(self, index: int) -> bytes:
        if index not in self._encoded:
            self._encoded[index] = self.text[index].encode()
        return self._encoded[index]


def segment(lines: Lines, node: ast.stmt) -> str:
    """The statement's original text; a decorated definition starts at its first decorator."""
    start, end = node.lineno - 1, (node.end_lineno or node.lineno) - 1
    if isinstance(node, DEFINITIONS):
        start = min([start] + [d.lineno - 1 for d in node.decorator_list])
        return "\n".join(lines.text[start : end + 1])
    # Column offsets count UTF-8 bytes, as in ast.get_source_segment.
    if start == end:
        return lines.encoded(start)[node.col_offset : node.end_col_offset].decode()
    return "\n".join(
        [
            lines.encoded(start)[node.col_offset :].decode(),
            *lines.text[start + 1 : end],
            lines.encoded(end)[: node.end_col_offset].decode(),
        ]
    )


def globals_read(code: str) -> Tuple[Set[str], Set[str]]:
    """(module-level names the code reads anywhere, names it binds at module level), from symbol tables."""
    try:
        table = symtable.symtable(code, "submission.py", "exec")
    except PARSE_ERRORS:
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


def read_when_run(node: ast.stmt, annotations: bool = True) -> Set[str]:
    """Names a kept statement reads when the module runs it, not later when its functions are called:
    a def's decorators, defaults and annotations (unless postponed), a class's bases and body, a value.

    Names a class body or comprehension binds for itself are left out; iterative,
    since a kept definition may nest deeply.
    """
    if isinstance(node, (ast.Assign, ast.AnnAssign)):  # a constant judge kept: read as judge reads it
        annotation = getattr(node, "annotation", None) if annotations else None
        return set().union(*(loaded(n) for n in (node.value, annotation) if n))
    loads: Set[str] = set()
    stores: Set[str] = set()
    stack: List[ast.AST] = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, (FUNCTIONS + (ast.Lambda,))):
            stack.extend(_evaluated_by_def(current, annotations))
            if not isinstance(current, ast.Lambda) and current is not node:
                stores.add(current.name)  # a method: a class body's own name
            continue
        if isinstance(current, ast.ClassDef) and current is not node:
            stores.add(current.name)
        if isinstance(current, ast.Name):
            (loads if isinstance(current.ctx, ast.Load) else stores).add(current.id)
        elif isinstance(current, ast.alias):  # an import inside a class body
            stores.add(current.asname or current.name.split(".")[0])
        elif isinstance(current, ast.AnnAssign) and not annotations:
            stack.extend(n for n in (current.target, current.value) if n)
            continue
        stack.extend(ast.iter_child_nodes(current))
    return loads - stores


def _evaluated_by_def(node, annotations: bool) -> List[ast.expr]:
    """What `def` or `lambda` evaluates where it stands: decorators, default values, annotations."""
    arguments = node.args
    parts = getattr(node, "decorator_list", []) + arguments.defaults + [d for d in arguments.kw_defaults if d]
    if annotations and not isinstance(node, ast.Lambda):
        every = (
            arguments.posonlyargs
            + arguments.args
            + arguments.kwonlyargs
            + [a for a in (arguments.vararg, arguments.kwarg) if a]
        )
        parts += [a.annotation for a in every if a.annotation] + ([node.returns] if node.returns else [])
    return parts


def loaded(node: ast.AST) -> Set[str]:
    """Names an expression reads when evaluated (a lambda's body is read later, when it is called)."""
    if isinstance(node, ast.Lambda):
        return set().union(*(loaded(d) for d in lambda_defaults(node)))
    if isinstance(node, ast.Name):
        return {node.id}
    return set().union(*(loaded(child) for child in ast.iter_child_nodes(node)))


def lambda_defaults(node: ast.Lambda) -> List[ast.expr]:
    """The default values of a lambda's parameters, evaluated where the lambda is."""
    return node.args.defaults + [d for d in node.args.kw_defaults if d]
