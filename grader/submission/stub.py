"""Whether code is the handout's stub unchanged: its function compared with the stub's as syntax trees.

A student who works in a notebook or another file often hands in the whole
handout folder, untouched stub included; the loader (and the handout's
self-check) must then grade the file with the work in it. Only the function
is compared, without its docstring (comments, blank lines, formatting and the
docstring do not count), so the stub opened and saved by an editor, pasted into
a notebook cell, or from an older handout, is still the stub. Pure ``ast``: the handout ships this module.
"""

from __future__ import annotations

import ast
from typing import Optional

_PARSE_ERRORS = (SyntaxError, ValueError, RecursionError, MemoryError)
_DEFINITIONS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


def binding(code: str, function: str) -> Optional[str]:
    """The syntax tree (without line numbers, or a function's docstring) of the top-level statement
    that binds `function` last (its `def`, an assignment, an import); None when the code does not
    parse or never binds it."""
    try:
        tree = ast.parse(code)
    except _PARSE_ERRORS:
        return None
    last = None
    for node in tree.body:
        if binds(node, function):
            last = node
    if isinstance(last, (ast.FunctionDef, ast.AsyncFunctionDef)) and ast.get_docstring(last) is not None:
        last.body = last.body[1:]  # a docstring is not work, and an older handout's may differ
    return None if last is None else ast.dump(last)


def is_stub(code: str, function: str, stub: str) -> bool:
    """Whether code's `function` is the stub's, unchanged (False when the stub is empty or has none)."""
    mine = binding(code, function)
    return mine is not None and mine == binding(stub, function)


def has_work(code: str, function: str, stub: str) -> bool:
    """Whether code binds `function` to something other than the stub's."""
    mine = binding(code, function)
    return mine is not None and mine != binding(stub, function)


def binds(node: ast.stmt, name: str) -> bool:
    """Whether a top-level statement (re)binds name: a definition, an assignment (`f = torch.compile(_f)`
    defines f as much as `def f` does), an import."""
    if isinstance(node, _DEFINITIONS):
        return node.name == name
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return any((alias.asname or alias.name.split(".")[0]) == name for alias in node.names)
    targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
    return any(isinstance(n, ast.Name) and n.id == name for t in targets if t is not None for n in ast.walk(t))
