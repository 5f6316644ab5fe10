"""What the checks need of an exercise: its contract, cases, tolerances, texts and probes.

Each exercise's public module (assignment/<name>/exercise.py, shipped in its
handout) builds one ``Exercise``; the grader's code names none. What only the
instructor may see (the reference, the mistake catalog, the hidden cases, the
learning environment) lives under reference/<name>/ (see grader/rubric.py).
"""

from __future__ import annotations

import importlib.util
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Mapping, Optional, Tuple, Type, TypeVar

import numpy as np

from grader.checks.answer import Answer
from grader.checks.cases import Case, Expected, MakeCase
from grader.checks.diagnosis import Diagnostics
from grader.contract import Contract

T = TypeVar("T")
CHECKS = ("interface", "value", "gradient", "sampled_actions", "stability", "purity", "learning")


@dataclass(frozen=True)
class Exercise:
    contract: Contract
    titles: Mapping[str, str]  # one per check in CHECKS: the test names a student reads
    make_case: MakeCase  # (kind, seed, sizes, hidden) -> the case's arrays
    solve: Callable[[Callable, Case], Expected]  # a trusted float64 loss's answer and its tolerances
    diagnostics: Diagnostics
    stable: str  # what a loss that passes the stability check does, for its feedback
    unstable_advice: str  # the fix when the loss is not finite on the extreme cases
    sampled_not_zero: str = ""  # why the correct loss is not zero on actions sampled from the policy
    stub: str = ""  # the file the handout gives students to fill in; defaults to <function>.py
    walkthrough: str = ""  # a public module beside this one defining WALKTHROUGH, for `explain`; none if empty

    def __post_init__(self):
        if tuple(self.titles) != CHECKS:
            raise ValueError(f"an exercise titles exactly the checks {CHECKS}, in order")

    @property
    def stub_file(self) -> str:
        return self.stub or f"{self.contract.function}.py"


@dataclass(frozen=True)
class Walkthrough:
    """One small batch worked through step by step with real numbers, beside the student's own
    answer on it (`python -m grader explain`, `selfcheck.py --explain`)."""

    arrays: Tuple[np.ndarray, ...]  # the batch: the contract's arguments, in order
    steps: Callable[[], str]  # the correct computation on it, step by step
    compare: Callable[[Answer], str]  # the student's value and gradient there, and the first step where they part


def load_public(path: Path) -> Exercise:
    """The EXERCISE an exercise's public module defines, imported from its file (once per path)."""
    return _defined(path, "EXERCISE", Exercise)


def load_walkthrough(path: Path) -> Optional[Walkthrough]:
    """The walk-through of the exercise whose public module is at path, if it has one."""
    name = load_public(path).walkthrough
    return _defined(path.with_name(name), "WALKTHROUGH", Walkthrough) if name else None


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
