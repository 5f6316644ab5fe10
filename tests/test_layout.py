"""The shape of grader/: packages in layers, imports flowing one way, modules of a readable size.

Every import in grader/ (function-level ones included) is read with ast and
checked against the layers below; a module may import from its own package and
from lower layers only. The handout's part (checks/) and the loader
(submission/) are held to what they may need, since students and the parent
process rely on that. The engine names no exercise: each one is assignment/NAME/
and reference/NAME/, and every such pair loads.
"""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Set, Tuple

import pytest

REPO = Path(__file__).resolve().parents[1]
GRADER = REPO / "grader"
# Lower numbers are lower layers. Base modules first, the command line last.
LAYERS = {
    "contract": 0,
    "errors": 0,
    "text": 0,
    "process": 0,
    "calling": 1,
    "naming": 2,
    "submission": 2,
    "sandbox": 2,
    "checks": 3,
    "learning": 4,
    "course": 4,
    "outputs": 5,
    "author": 5,
    "verbs": 6,
    "batch": 7,
    "cli": 8,
    "package": 8,
    "__init__": 8,
    "__main__": 9,
}
MAX_LINES = 350


def _modules() -> Dict[str, Path]:
    return {".".join(path.relative_to(REPO).with_suffix("").parts): path for path in sorted(GRADER.rglob("*.py"))}


def _unit(module: str) -> str:
    """The layer unit of a module grader.X.Y: the package X, or the top-level module X."""
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
    """calling/, naming/ and checks/ ship in the student handout: nothing of the sandbox, outputs,
    batch or reference."""
    shipped = ("calling", "naming", "checks")
    allowed = {
        *(f"grader.{name}" for name in shipped),
        "grader.contract",
        "grader.errors",
        "grader.text",
        "numpy",
        "torch",
    }
    for path in (path for name in shipped for path in (GRADER / name).glob("*.py")):
        for name in _imports(path):
            top = name.split(".")[0]
            if top in ("grader", "numpy", "torch", "reference"):
                assert any(name == a or name.startswith(a + ".") for a in allowed), f"{path.name} imports {name}"


@pytest.mark.parametrize("module", ["grader.submission.load", "grader.submission.notebook"])
def test_importing_it_does_not_import_torch(module):
    code = f"import sys, {module}; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the engine is exercise-agnostic ------------------------------------------------------------------

# Words of the discrete exercise (and of the next one): they belong in assignment/NAME and reference/NAME.
EXERCISE_WORDS = ("pseudo", "logits", "q_values", "CartPole", "cartpole", "discrete", "gaussian", "softmax")


def _docstrings(tree: ast.AST) -> Set[int]:
    """The ids of the docstring constants of a module, its classes and its functions."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _words(tree: ast.AST) -> Iterator[Tuple[int, str]]:
    """(line, text) of every identifier and string constant but docstrings; comments are not in the tree."""
    docstrings = _docstrings(tree)
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            yield line, node.value
        elif isinstance(node, ast.Name):
            yield line, node.id
        elif isinstance(node, ast.Attribute):
            yield line, node.attr
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            yield line, node.name
        elif isinstance(node, ast.arg):
            yield line, node.arg
        elif isinstance(node, ast.keyword) and node.arg:
            yield line, node.arg
        elif isinstance(node, ast.alias):
            yield line, node.name
            if node.asname:
                yield line, node.asname
        elif isinstance(node, ast.ImportFrom) and node.module:
            yield line, node.module


def _exercise_words_in_grader() -> List[str]:
    found = []
    for path in sorted(GRADER.rglob("*.py")):
        for line, text in _words(ast.parse(path.read_text())):
            hits = [word for word in EXERCISE_WORDS if word.lower() in text.lower()]
            if hits:
                found.append(f"{path.relative_to(REPO)}:{line}: {text[:60]!r} ({', '.join(hits)})")
    return found


def test_the_word_scan_sees_identifiers_and_strings_but_not_docstrings_or_comments():
    tree = ast.parse(
        '"""About pseudo_loss."""\n# logits\nimport torch.nn.functional as softmax_module\n'
        'def f(q_values, scale=1):\n    """CartPole."""\n    return g(x.discrete, key="gaussian", **{"k": 1})\n'
    )
    words = {text for _, text in _words(tree)}
    assert {"softmax_module", "q_values", "discrete", "gaussian", "torch.nn.functional", "f", "scale"} <= words
    assert not {"About pseudo_loss.", "CartPole.", "logits"} & words


def test_grader_names_no_exercise():
    found = _exercise_words_in_grader()
    assert not found, "\n".join(found)


def _exercises() -> List[str]:
    return sorted(path.parent.name for path in (REPO / "assignment").glob("*/exercise.py"))


def test_the_course_lists_exactly_the_exercises_it_has():
    course = json.loads((REPO / "assignment" / "exercises.json").read_text())
    assert _exercises(), "no assignment/NAME/exercise.py at all"
    assert sorted(course["exercises"]) == _exercises()
    assert course["default"] in _exercises()


@pytest.mark.parametrize("name", _exercises())
def test_every_exercise_has_its_reference_and_loads(name):
    from grader.checks.part import Solution
    from grader.course import registry, rubric

    private = REPO / "reference" / name
    assert (private / "__init__.py").is_file() and (private / "rubric.json").is_file()
    assert name in registry.names() and registry.resolve(name) == name
    assert registry.folders(name) == (REPO / "assignment" / name, private)
    graded = rubric.load_rubric(name)
    assert graded.name == name and tuple(part.function for part in graded.parts) == graded.exercise.functions
    assert all(path.is_file() for path in graded.files())
    for part in graded.parts:
        assert tuple(part.weights) == tuple(check.key for check in part.part.checks)
        assert tuple(part.cases) == part.part.kinds
        lead = next(iter(part.cases.values()))
        assert any(not case.hidden for case, _ in lead)  # the public case asked first
        assert any(case.hidden for pairs in part.cases.values() for case, _ in pairs)
        assert next(iter(rubric.load_rubric(name, public_only=True).parts[graded.parts.index(part)].cases.values()))
        suspects, catalog = rubric.suspects(name, part.function)
        assert graded.suspects(part.function) == (suspects, catalog)
        if part.part.diagnostics:
            assert suspects and catalog
            assert all(len(suspect.sigs) == len(part.part.diagnostics.probes) for suspect in suspects)
        assert set(catalog) <= set(rubric.mistake_titles(name))
        held = rubric.solution(name, part.function)
        assert isinstance(held, Solution) and callable(held.reference)
        assert all(held.trainer(check) for check in part.part.learnings)
        assert bool(held.learning) == bool(part.part.learnings)


_NAMED = re.compile(r"\bgrader(?:\.[A-Za-z_]\w*)+")


def _defines(path: Path, name: str) -> bool:
    """Whether the module at path binds name at its top level (a def, class, assignment or import)."""
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.name == name:
            return True
        targets = [node.target] if isinstance(node, (ast.AnnAssign, ast.AugAssign)) else getattr(node, "targets", [])
        if any(name in {n.id for n in ast.walk(t) if isinstance(n, ast.Name)} for t in targets):
            return True
        if isinstance(node, (ast.Import, ast.ImportFrom)) and any(
            (alias.asname or alias.name.split(".")[0]) == name for alias in node.names
        ):
            return True
    return False


def _exists(dotted: str) -> bool:
    """Whether grader.a.b.c names a package or module of this tree, then (at most) a name it binds."""
    parts, path = dotted.split("."), REPO
    for at, part in enumerate(parts):
        if (path / part).is_dir():
            path = path / part
        elif (path / f"{part}.py").is_file():
            return at + 1 == len(parts) or _defines(path / f"{part}.py", parts[at + 1])
        else:
            return at > 0 and (path / "__init__.py").is_file() and _defines(path / "__init__.py", part)
    return True


def test_every_grader_name_in_the_prose_exists():
    """A module or function named as grader.x.y in the README, the docs, a docstring or a comment
    is there: a name left behind by a move sends a reader looking for nothing."""
    texts = [REPO / "README.md", *(REPO / "docs").rglob("*.md")]
    texts += [p for folder in ("grader", "reference", "assignment", "tests") for p in (REPO / folder).rglob("*.py")]
    missing = {
        f"{found.group().rstrip('.')} ({path.relative_to(REPO)})"
        for path in texts
        if "submissions" not in path.parts and path != Path(__file__).resolve()
        for found in _NAMED.finditer(path.read_text(errors="replace"))
        if not found.group().endswith((".py", ".md", ".json")) and not _exists(found.group().rstrip("."))
    }
    assert not missing, sorted(missing)
