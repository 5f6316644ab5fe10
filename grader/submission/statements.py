"""Judge one top-level statement of a notebook cell: kept, or dropped and why.

The rule is the one grader.submission.notebook states: what runs is only what a module
needs to define the exercise's function. `judge` applies it to one statement, knowing the
names that the code kept so far binds (grader.submission.names reads what each binds
and reads). Nothing here runs or imports the code.
"""

from __future__ import annotations

import ast
import importlib.util
import sys
from pathlib import Path
from types import MappingProxyType
from typing import AbstractSet, List, Mapping, Optional

from grader.submission.names import BUILTINS, DEFINITIONS, bound_by, lambda_defaults, loaded
from grader.text import code as md_code

# Where classes whose construction only stores its arguments live: a loss module or a distribution
# built at module level (`criterion = nn.CrossEntropyLoss()`) is kept, being what the function uses.
SAFE_PACKAGES = ("torch.nn.", "torch.distributions.")
NOTEBOOK_ONLY_MODULES = ("google.colab", "IPython", "ipywidgets")

# Why the other kinds of statement are dropped, as the notes say it.
_DROPPED_KINDS = {
    ast.For: "a loop",
    ast.AsyncFor: "a loop",
    ast.While: "a loop",
    ast.If: "an `if` block",
    ast.Try: "a `try` block",
    ast.With: "a `with` block",
    ast.AsyncWith: "a `with` block",
    ast.AugAssign: "an update of a variable",
    ast.Delete: "a `del`",
    ast.Assert: "an `assert`",
    ast.Raise: "a `raise`",
    ast.Return: "a `return`",
}
if sys.version_info >= (3, 11):
    _DROPPED_KINDS[ast.TryStar] = "a `try` block"


def judge(
    node: ast.stmt,
    *,
    bound: AbstractSet[str],
    star: bool,
    folder: Path,
    function: str,
    origins: Mapping[str, str] = MappingProxyType({}),
) -> Optional[str]:
    """None to keep the statement, "" to drop it silently, else why it is dropped.

    bound: the names kept code binds so far; star: whether a kept `import *` may bind any name;
    folder: where the notebook is, since a folder submission ships its .py modules beside it;
    function: the exercise's, which an assignment defines as much as a `def` does
    (`pseudo_loss = torch.compile(_pseudo_loss)`): kept, whatever it calls;
    origins: what kept imports bound each name to (`nn` -> `torch.nn`, see names.import_origins).
    """
    if isinstance(node, DEFINITIONS):
        return None
    if isinstance(node, (ast.Import, ast.ImportFrom)):
        return _judge_import(node, folder)
    if isinstance(node, (ast.Assign, ast.AnnAssign)):
        return _judge_assignment(node, bound, star, function, origins)
    if isinstance(node, ast.Pass) or (
        isinstance(node, ast.Expr) and isinstance(node.value, (ast.Constant, ast.Name, ast.Attribute))
    ):
        return ""  # a docstring or a value shown as the cell's output: no effect
    if isinstance(node, ast.Expr):
        return "a call" if _calls(node) else "an expression"
    if isinstance(node, ast.If) and _is_main_check(node.test):
        return "the `__main__` block"
    return _DROPPED_KINDS.get(type(node), "a statement that defines nothing")


def _judge_import(node, folder: Path) -> Optional[str]:
    if isinstance(node, ast.ImportFrom):
        if node.level:
            return "a relative import"
        modules = [node.module or ""]
    else:
        modules = [alias.name for alias in node.names]
    # An import the sandbox cannot satisfy would fail the whole submission,
    # although notebooks routinely import Colab helpers or a plotting
    # library that the function never uses. Drop it and say so; if a kept
    # definition does use it, the NameError warning in the notes explains.
    for module in modules:
        if any(module == m or module.startswith(m + ".") for m in NOTEBOOK_ONLY_MODULES):
            return f"{md_code(module)} exists only inside a notebook"
        if not _available(module.split(".")[0], folder):
            return f"{md_code(module.split('.')[0])} is not installed on the grader"
    return None


def _available(top: str, folder: Path) -> bool:
    if top == "__future__" or top in sys.builtin_module_names:
        return True
    if (folder / f"{top}.py").is_file() or (folder / top / "__init__.py").is_file():
        return True
    try:  # finds the top-level package on sys.path without importing anything
        return importlib.util.find_spec(top) is not None
    except (ImportError, ValueError):
        return False


def _constructed(node: ast.expr, origins: Mapping[str, str]) -> bool:
    """A class of a known-safe package (SAFE_PACKAGES), as kept imports name it, called with simple values."""
    if not isinstance(node, ast.Call):
        return False
    parts: List[str] = []
    callee = node.func
    while isinstance(callee, ast.Attribute):
        parts.insert(0, callee.attr)
        callee = callee.value
    if not isinstance(callee, ast.Name) or callee.id not in origins:
        return False
    path = ".".join([origins[callee.id]] + parts)
    return (
        path.startswith(SAFE_PACKAGES)
        and path.rsplit(".", 1)[-1][:1].isupper()
        and all(_simple(a) for a in node.args)
        and all(_simple(k.value) for k in node.keywords)
    )


def _judge_assignment(
    node, bound: AbstractSet[str], star: bool, function: str, origins: Mapping[str, str]
) -> Optional[str]:
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if not all(_plain_target(target) for target in targets):
        return "an assignment to an attribute or item"
    if node.value is None:
        return ""  # a bare annotation `x: int` binds nothing
    if function in bound_by(node):
        return None
    if not _simple(node.value) and not _constructed(node.value, origins):
        return "an assignment from a call" if _calls(node.value) else "a computed assignment"
    used = loaded(node.value) | (loaded(node.annotation) if isinstance(node, ast.AnnAssign) else set())
    missing = sorted(used - bound - BUILTINS)
    if missing and not star:
        return f"uses {md_code(missing[0])}, which is dropped"
    return None


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
        return all(_simple(d) for d in lambda_defaults(node))
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


def _calls(node: ast.AST) -> bool:
    return any(isinstance(n, ast.Call) for n in ast.walk(node))


def _is_main_check(test: ast.expr) -> bool:
    return (
        isinstance(test, ast.Compare)
        and isinstance(test.left, ast.Name)
        and test.left.id == "__name__"
        and any(isinstance(c, ast.Constant) and c.value == "__main__" for c in test.comparators)
    )
