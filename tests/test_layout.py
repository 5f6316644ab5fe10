"""The shape of grader/: packages in layers, imports flowing one way, modules of a readable size.

Every import in grader/ (function-level ones included) is read with ast and
checked against the layers below; a module may import from its own package and
from lower layers only. The handout's part (checks/) and the loader
(submission/) are held to what they may need, since students and the parent
process rely on that.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Dict, Set

import pytest

REPO = Path(__file__).resolve().parents[1]
GRADER = REPO / "grader"
# Lower numbers are lower layers. Base modules first, the command line last.
LAYERS = {
    "contract": 0,
    "errors": 0,
    "text": 0,
    "process": 0,
    "checks": 1,
    "submission": 2,
    "sandbox": 2,
    "learning": 3,
    "rubric": 3,
    "outputs": 4,
    "verbs": 5,
    "batch": 6,
    "cli": 7,
    "package": 7,
    "__init__": 7,
    "__main__": 8,
}
MAX_LINES = 350


def _modules() -> Dict[str, Path]:
    return {".".join(path.relative_to(REPO).with_suffix("").parts): path for path in sorted(GRADER.rglob("*.py"))}


def _unit(module: str) -> str:
    """The layer unit of grader.x.y: the package x, or the top-level module x."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _imports(path: Path) -> Set[str]:
    found: Set[str] = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def _grader_imports(path: Path, modules: Dict[str, Path]) -> Set[str]:
    return {name for name in _imports(path) if name in modules or f"{name}.__init__" in modules} - {"grader"}


def test_imports_flow_down_the_layers_only():
    modules = _modules()
    upward = []
    for module, path in modules.items():
        here = _unit(module)
        for target in _grader_imports(path, modules):
            there = _unit(target)
            if there != here and LAYERS[there] >= LAYERS[here]:
                upward.append(f"{module} imports {target}")
    assert not upward, "\n".join(upward)


def test_no_import_circle_between_modules():
    modules = _modules()
    graph = {
        module: {t if t in modules else f"{t}.__init__" for t in _grader_imports(path, modules)}
        for module, path in modules.items()
    }
    state: Dict[str, int] = {}

    def visit(module: str, trail: list) -> None:
        state[module] = 1
        for target in graph.get(module, ()):
            if target.endswith(".__init__") or target == module:
                continue
            assert state.get(target) != 1, " -> ".join(trail + [module, target])
            if target not in state:
                visit(target, trail + [module])
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module, [])


def test_every_package_says_what_it_is_for_and_no_module_is_too_long():
    for init in GRADER.glob("*/__init__.py"):
        docstring = ast.get_docstring(ast.parse(init.read_text()))
        assert docstring and len(docstring.splitlines()) == 1, f"{init} needs a one-line purpose"
    long = [
        f"{path.relative_to(REPO)}: {n}"
        for path in GRADER.rglob("*.py")
        if (n := len(path.read_text().splitlines())) > MAX_LINES
    ]
    assert not long, long
    assert len(list(GRADER.glob("*.py"))) <= 10


def test_checks_needs_only_numpy_torch_and_the_base_modules():
    """checks/ ships in the student handout: nothing of the sandbox, outputs, batch or reference."""
    allowed = {"grader.checks", "grader.contract", "grader.errors", "grader.text", "numpy", "torch"}
    for path in (GRADER / "checks").glob("*.py"):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in ("grader", "numpy", "torch", "reference"):
                assert any(name == a or name.startswith(a + ".") for a in allowed), f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["grader.submission.load", "grader.submission.notebook"])
def test_importing_it_does_not_import_torch(module):
    code = f"import sys, {module}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
