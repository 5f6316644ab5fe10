"""What the checks need of an exercise: its parts, each a function with its contract, cases,
declared checks, tolerances, texts and probes; and what the instructor holds of each.

Each exercise's public module (assignment/<name>/exercise.py, shipped in its
handout) builds one ``Exercise`` through grader.author; the grader's code names
none. What only the instructor may see (the reference, the mistake catalog, the
hidden cases, the learning environment) lives under reference/<name>/, as one
``Solution`` per part (see grader/course/rubric.py).
"""

from __future__ import annotations

import dataclasses
import importlib.util
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import (
    Callable,
    Dict,
    FrozenSet,
    Literal,
    Mapping,
    Optional,
    Sequence,
    Tuple,
    Type,
    TypeVar,
    Union,
    cast,
    get_args,
)

from grader.checks.cases import Case, Expected, MakeCase
from grader.checks.trials import Judged, Trial
from grader.contract import Contract
from grader.naming.matching import Matching
from grader.naming.observations import meaning_keys
from grader.naming.probes import Diagnostics
from grader.naming.walkthrough import Walkthrough

T = TypeVar("T")
# The engine's checks. An exercise declares which of them each part has (and checks of its own),
# with titles, the kinds of case each judges, and points in rubric.json.
Library = Literal["interface", "value", "gradient", "sampled_actions", "stability", "purity", "speed", "learning"]
LIBRARY: Tuple[str, ...] = get_args(Library)
Naming = Union[Diagnostics, Matching]  # a loss's diagnosis, an array function's matching
OwnJudge = Callable[[Sequence[Trial]], Judged]  # a check of the part's own, over the trials of its kinds


@dataclass(frozen=True)
class Check:
    """One graded check of a part: the library's `uses` (the key itself unless named), or `own`."""

    key: str  # stable: rubric.json's weights, results.json, the TA's files
    title: str  # the test's name a student reads
    kinds: Tuple[str, ...] = ()  # the kinds of case it judges, in the order its feedback goes through them
    uses: Union[Library, Literal[""]] = ""  # the library check it is; "" for the key's own, if the key is the library's
    own: Optional[OwnJudge] = None  # a check no library check does
    together: bool = False  # a learning check with the upload's own partners, whatever they are (trainings.py)

    def __post_init__(self):
        if not self.key.isidentifier() or (self.own is None and self.judge is None):
            raise ValueError(f"check {self.key!r} is neither the library's ({', '.join(LIBRARY)}) nor has its own")
        if (self.judge == "learning") == bool(self.kinds):
            raise ValueError(f"check {self.key!r}: the learning check judges no case, every other some")
        if self.together and self.judge != "learning":
            raise ValueError(f"check {self.key!r}: only a learning check trains together")

    @property
    def judge(self) -> Optional[Library]:
        """The library check it is: `uses`, or its key if that is the library's; None for a check of its own."""
        return self.uses or (cast(Library, self.key) if self.key in LIBRARY else None)


@dataclass(frozen=True)
class Part:
    """One function graded in an upload: the whole exercise, or one of its parts."""

    contract: Contract
    checks: Tuple[Check, ...]
    make_case: MakeCase  # (kind, seed, sizes, hidden) -> the case's arrays
    solve: Callable[[Callable, Case], Expected]  # a trusted float64 function's answer and its tolerances
    diagnostics: Optional[Naming] = None  # the probes that name a mistake; none: not named
    stable: str = ""  # what a function that passes the stability check does, for its feedback
    unstable_advice: str = ""  # the fix when it is not finite on the extreme cases
    sampled_not_zero: str = ""  # why the correct loss is not zero on actions sampled from the policy
    budget_s: float = 0.0  # the speed check's: CPU seconds the largest public case may take

    def __post_init__(self):
        keys = [check.key for check in self.checks]
        if len(set(keys)) != len(keys) or not keys:
            raise ValueError(f"{self.contract.function}: check keys {keys} are not unique")
        if any(check.judge == "speed" and not check.own for check in self.checks) and (
            self.budget_s <= 0 or self.contract.loss
        ):
            raise ValueError(f"{self.contract.function}: a speed check times an array function, within budget_s")
        no_gradient = [c.key for c in self.checks if c.judge in ("gradient", "sampled_actions") and not c.own]
        if no_gradient and not self.contract.loss:
            raise ValueError(f"{self.contract.function} has no gradient to check: {no_gradient}")
        if self.diagnostics is not None and isinstance(self.diagnostics, Matching) == self.contract.loss:
            raise ValueError(f"{self.contract.function}: a loss is diagnosed, an array function matched")
        if isinstance(self.diagnostics, Diagnostics) and set(self.diagnostics.meanings) - meaning_keys(
            self.diagnostics
        ):
            unknown = sorted(set(self.diagnostics.meanings) - meaning_keys(self.diagnostics))
            raise ValueError(f"{self.contract.function}: no observation is of the kinds {unknown} its meanings name")
        if self.diagnostics is not None and self.diagnostics.contract != self.contract:
            raise ValueError(f"{self.contract.function}: its diagnostics are for another contract")

    @property
    def function(self) -> str:
        return self.contract.function

    @property
    def titles(self) -> Dict[str, str]:
        return {check.key: check.title for check in self.checks}

    @property
    def kinds(self) -> Tuple[str, ...]:
        """Every kind of case its checks judge, the first check's first: that one's first public case is asked twice."""
        return tuple(dict.fromkeys(kind for check in self.checks for kind in check.kinds))

    @property
    def learnings(self) -> Tuple[Check, ...]:
        return tuple(check for check in self.checks if check.judge == "learning")


@dataclass(frozen=True)
class Exercise:
    parts: Tuple[Part, ...] = ()  # graded in this order, each with its own points, in one upload
    stub: str = ""  # the file the handout gives students to fill in; defaults to <first function>.py
    walkthrough: str = ""  # a public module beside this one defining WALKTHROUGHS, for `explain`; none if empty
    # Exercises whose parts follow this one's own, each graded as its own exercise grades it (its
    # cases, points and reference); load_public puts them in `parts` and their names in `homes`.
    components: Tuple[str, ...] = ()
    adds: Mapping[str, Tuple[Check, ...]] = field(default_factory=dict)  # checks added to a component's part
    homes: Mapping[str, str] = field(default_factory=dict, compare=False)  # function -> the component it is from
    preload: Tuple[str, ...] = ()  # modules its submissions may import, imported once before the children fork

    def __post_init__(self):
        functions = [part.function for part in self.parts]
        if not (functions or self.components) or len(set(functions)) != len(functions):
            raise ValueError(f"an exercise has parts of distinct functions, not {functions}")

    @property
    def stub_file(self) -> str:
        return self.stub or f"{self.parts[0].function}.py"

    @property
    def functions(self) -> Tuple[str, ...]:
        return tuple(part.function for part in self.parts)

    @property
    def watched(self) -> Optional[Tuple[Part, Check]]:
        """The learning check a student's `--learn` runs: the one that trains the upload's functions
        together when there is one (the homework as handed in), else the first; None without any."""
        found = [(part, check) for part in self.parts for check in part.learnings]
        return next((pair for pair in found if pair[1].together), found[0] if found else None)

    def part(self, function: str) -> Part:
        return next(part for part in self.parts if part.function == function)


@dataclass(frozen=True)
class Mistake:
    """One known wrong implementation of a part, with the feedback a student reads. The handout's
    self-check carries the texts only (function None): the implementations are the instructor's."""

    id: str  # stable identifier, in results.json's extra_data.mistakes
    title: str  # one line, the headline of the feedback
    change: str  # one line, plain words: what to change in the code, true of this mistake
    explanation: str  # Markdown, plain words, no numbers: the diagnosis adds the evidence
    function: Optional[Callable] = None  # the wrong implementation, with the part's signature
    random_value: bool = False  # its value depends on fresh random draws: only gradients are compared
    meant: str = ""  # the entry this code computes where its slip raises no error (feedback shows its numbers there)

    def headed(self, possibly: bool = False) -> str:
        """Its feedback: the title, then what to change, then why. A look-alike that nothing tells
        apart from another (possibly) may not be the student's mistake, so neither is its change."""
        if possibly:
            return f"**Possibly: {self.title}**\n\nIf it is this one, change this: {self.change}\n\n{self.explanation}"
        return f"**{self.title}**\n\nWhat to change: {self.change}\n\n{self.explanation}"


@dataclass(frozen=True)
class Solution:
    """What the instructor holds of one part (reference/<name>/__init__.py's SOLUTIONS)."""

    reference: Callable
    catalog: Tuple[Mistake, ...] = ()
    same_numbers: Tuple[FrozenSet[str], ...] = ()  # mistakes that give the same numbers on every input
    # the module that trains a policy with the part, imported only to grade learning; by check key
    # when the part has several learning checks
    learning: Union[str, Mapping[str, str]] = ""

    def trainer(self, check: Check) -> str:
        """The learning module of one of the part's learning checks."""
        return self.learning if isinstance(self.learning, str) else self.learning[check.key]

    def __post_init__(self):
        ids = [m.id for m in self.catalog]
        if len(set(ids)) != len(ids):
            raise ValueError(f"mistake IDs {ids} are not unique")


Catalog = Mapping[str, Mistake]  # by mistake ID, in the catalog's order


ASSIGNMENT = Path(__file__).resolve().parents[2] / "assignment"  # every exercise's public folder, in a handout too


def load_public(path: Path) -> Exercise:
    """The EXERCISE an exercise's public module defines, imported from its file (once per path),
    with its components' parts after its own (each component's module is assignment/NAME/exercise.py)."""
    exercise = _defined(path, "EXERCISE", Exercise)
    if not exercise.components:
        return exercise
    parts, homes, preload = list(exercise.parts), {}, list(exercise.preload)
    for name in exercise.components:
        component = load_public(ASSIGNMENT / name / "exercise.py")
        for part in component.parts:
            parts.append(dataclasses.replace(part, checks=part.checks + exercise.adds.get(part.function, ())))
            homes[part.function] = name
        preload += component.preload
    preloaded = tuple(dict.fromkeys(preload))
    return dataclasses.replace(exercise, parts=tuple(parts), components=(), adds={}, homes=homes, preload=preloaded)


def load_walkthroughs(path: Path) -> Tuple[Walkthrough, ...]:
    """The walk-throughs (one per part that has one) of the exercise whose public module is at path,
    then its components'."""
    exercise = load_public(path)
    theirs = [load_walkthroughs(ASSIGNMENT / home / "exercise.py") for home in dict.fromkeys(exercise.homes.values())]
    if not exercise.walkthrough:
        return sum(theirs, ())
    found = _defined(path.with_name(exercise.walkthrough), "WALKTHROUGHS", tuple)
    if not found or not all(isinstance(w, Walkthrough) and w.function in exercise.functions for w in found):
        raise ImportError(f"{exercise.walkthrough}'s WALKTHROUGHS are not walk-throughs of {exercise.functions}")
    return sum(theirs, found)


def _defined(path: Path, name: str, kind: Type[T]) -> T:
    """What a public module of an exercise defines as name, imported from its file once per path."""
    path = path.resolve()
    module_name = "_exercise" + "".join(c if c.isalnum() else "_" for c in str(path))
    module = sys.modules.get(module_name)
    if module is None:
        spec = importlib.util.spec_from_file_location(module_name, path)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot import {path}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[module_name] = module
        spec.loader.exec_module(module)
    found = getattr(module, name, None)
    if not isinstance(found, kind):
        raise ImportError(f"{path} defines no {name}")
    return found
