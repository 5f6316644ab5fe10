"""An exercise's grading configuration: weights, public and hidden cases, expected answers.

An exercise NAME (registry.py) is two folders: assignment/NAME/ (public: exercise.py,
the stub, public_cases.json, the handout text) and reference/NAME/ (instructor
only: a package with one Solution per part, and rubric.json with the weights and
hidden cases). Importing the reference
happens here, lazily, and only after the sandbox's zygote has been forked
(sandbox.parent.Zygote.start checks).
"""

from __future__ import annotations

import ast
import importlib
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Optional, Tuple

from grader.checks.cases import CaseSet, make_cases
from grader.checks.held import Held
from grader.checks.part import Catalog, Exercise, Part, Solution, load_public
from grader.course.registry import folders
from grader.errors import GraderError
from grader.naming.suspects import Suspect, build_suspects


def exercise(name: str) -> Exercise:
    """The exercise's public part (no reference is imported)."""
    return load_public(folders(name)[0] / "exercise.py")


def stub_text(name: str) -> str:
    """The file students fill in (the loader never grades it unchanged): the exercise's stub, and
    after it, for a part from a component, that exercise's imports (once) and functions."""
    spec = exercise(name)
    own = (folders(name)[0] / spec.stub_file).read_text()
    imports: List[str] = []
    bodies: List[str] = []
    for home in dict.fromkeys(spec.homes.values()):
        source = stub_text(home)
        lines, body = source.splitlines(), ast.parse(source).body
        # whole lines: an import's comment ("you will probably want it") goes with it
        imports += [
            "\n".join(lines[n.lineno - 1 : n.end_lineno]) for n in body if isinstance(n, (ast.Import, ast.ImportFrom))
        ]
        first = next(node for node in body if isinstance(node, (ast.FunctionDef, ast.ClassDef)))
        bodies.append("\n".join(lines[first.lineno - 1 :]).strip())
    if not bodies:
        return own
    return "\n\n\n".join([own.strip() + "\n\n" + "\n".join(dict.fromkeys(imports)), *bodies]) + "\n"


@dataclass(frozen=True)
class Graded:
    """One part as the rubric grades it: its points per check and its cases with their answers."""

    part: Part
    weights: Dict[str, float]  # by check key, in the part's order
    cases: CaseSet  # per kind, public cases first

    @property
    def function(self) -> str:
        return self.part.function


@dataclass(frozen=True)
class Rubric:
    name: str  # the exercise's
    exercise: Exercise
    parts: Tuple[Graded, ...]  # in the exercise's order
    held: Optional[Held] = None  # rubric.json's "hidden_tests": hidden-case tests of their own, shown later
    extra_tests: Optional[Path] = None  # rubric.json's "extra_tests": the course's own tests (verbs/extra_tests.py)

    def suspects(self, function: str) -> Tuple[List[Suspect], Catalog]:
        return suspects(self.name, function)

    def files(self) -> List[Path]:
        """Every file that decides a grade besides the submission and the grader's code."""
        found = {folders(self.name)[0] / self.exercise.stub_file}  # the stub: the loader skips it
        for name in {self.name, *self.exercise.homes.values()}:
            public, private = folders(name)
            found |= {*public.glob("*.json"), public / "exercise.py", *private.rglob("*.json"), *private.rglob("*.py")}
        return sorted(found)


@lru_cache(maxsize=4)
def load_rubric(name: str, public_only: bool = False) -> Rubric:
    """The exercise's rubric; public_only (the self-check): no hidden case, no course test (they
    are instructor-only). A part from a component (Exercise.components) has that exercise's cases
    and points; an exercise of several parts keys its cases and weights by function."""
    spec = exercise(name)
    private = folders(name)[1]
    config = json.loads((private / "rubric.json").read_text())
    added = config.get("parts", {}) if spec.homes else {}  # a composite weighs the checks it adds
    parts = tuple(
        _graded(name, spec.homes.get(part.function, name), part, public_only, added.get(part.function, {}))
        for part in spec.parts
    )
    if public_only:
        return Rubric(name, spec, parts)
    return Rubric(name, spec, parts, _held(config), _extra_tests(config, private))


def _graded(name: str, home: str, part: Part, public_only: bool, added: Dict) -> Graded:
    """A part's weights (every check it declares, in order) and cases with the reference's answers,
    from the files of the exercise it is from (home); added: exercise name's rubric.json entry for
    the part, weighing the checks it adds."""
    public, private = folders(home)
    shown = json.loads((public / "public_cases.json").read_text())
    config = json.loads((private / "rubric.json").read_text())
    if len(exercise(home).parts) > 1:
        shown, config = shown[part.function], config["parts"][part.function]
    if home != name:
        config = {**config, "weights": {**config["weights"], **added.get("weights", {})}}
    keys = [check.key for check in part.checks]
    if set(config["weights"]) != set(keys):
        raise GraderError(
            f"{name}: rubric.json weighs {sorted(config['weights'])} for {part.function}, whose checks are {keys}"
        )
    weights = {key: float(config["weights"][key]) for key in keys}
    try:
        cases = make_cases(shown, part.make_case, False, part.kinds)
        hidden = make_cases({} if public_only else config["hidden"], part.make_case, True, part.kinds)
    except ValueError as exc:
        raise GraderError(f"{name}, {part.function}: {exc}") from None
    reference = solution(name, part.function).reference  # instructor-only, see module docstring
    return Graded(
        part,
        weights,
        {kind: [(case, part.solve(reference, case)) for case in cases[kind] + hidden[kind]] for kind in part.kinds},
    )


def _held(config: dict) -> Optional[Held]:
    """rubric.json's "hidden_tests" ({"visibility": ..., "share": ...}), checked; None if absent."""
    if "hidden_tests" not in config:
        return None
    try:
        return Held(**config["hidden_tests"])
    except (TypeError, ValueError) as exc:
        raise GraderError(f'rubric.json\'s "hidden_tests" is not {{"visibility": ..., "share": ...}}: {exc}') from None


def extra_tests_file(name: str) -> Optional[Path]:
    """The course tests' file rubric.json names (None if it names none), without importing anything."""
    private = folders(name)[1]
    return _extra_tests(json.loads((private / "rubric.json").read_text()), private)


def _extra_tests(config: dict, private: Path) -> Optional[Path]:
    """The file rubric.json's "extra_tests" names, beside rubric.json (so the zip ships it)."""
    name = config.get("extra_tests")
    if name is None:
        return None
    path = private / str(name)
    if Path(str(name)).is_absolute() or ".." in Path(str(name)).parts or not path.is_file():
        raise GraderError(f'rubric.json\'s "extra_tests" names {name!r}, which is no file inside {private}')
    return path


def solution(name: str, function: str) -> Solution:
    """What reference/NAME holds of the part that defines function (its package's SOLUTIONS), else
    what the component it is from holds."""
    folders(name)
    found = importlib.import_module(f"reference.{name}").SOLUTIONS.get(function)
    home = exercise(name).homes.get(function)
    if found is None and home is not None:
        found = importlib.import_module(f"reference.{home}").SOLUTIONS.get(function)
    if not isinstance(found, Solution):
        raise GraderError(f"reference/{name} has no solution for {function}")
    return found


@lru_cache(maxsize=8)
def suspects(name: str, function: str) -> Tuple[List[Suspect], Catalog]:
    """The diagnosis's suspects from the reference and the mistake catalog, and the catalog by
    ID; built once per process (instructor only, like load_rubric)."""
    held, naming = solution(name, function), exercise(name).part(function).diagnostics
    found = build_suspects(naming, held.reference, held.catalog, held.same_numbers) if naming else []
    return found, {m.id: m for m in held.catalog}


def mistake_titles(name: str) -> Dict[str, str]:
    """Each catalogued mistake's one-line title, by ID, for the class report."""
    return {m.id: m.title for function in exercise(name).functions for m in solution(name, function).catalog}
