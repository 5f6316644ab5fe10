"""Everything an exercise's author writes with, and the only module of the engine an exercise imports.

An exercise NAME is assignment/NAME/exercise.py (public, shipped in the handout:
its ``EXERCISE``, one ``Part`` per graded function with its ``Contract``, the
``Check``s it declares, how cases are made and solved, and its ``Diagnostics``),
assignment/NAME/public_cases.json and a stub, and reference/NAME/ (instructor
only: ``SOLUTIONS``, one ``Solution`` per part with its reference, its catalog of
``Mistake``s and its learning module, a trainer built on what ``runs`` gives it
here: LossGrad, Adam, the verdict; rubric.json with points and hidden cases).
The README's "Exercises" section shows a whole one.
"""

from __future__ import annotations

import math

from grader.calling.answer import Answer
from grader.checks.cases import Case, Expected, float64_answer
from grader.checks.part import LIBRARY, Check, Exercise, Mistake, Part, Solution
from grader.checks.trials import Judged, Trial
from grader.contract import Argument, Contract
from grader.learning.runs import (
    DECIDE_EVERY,
    Adam,
    Learning,
    LossGrad,
    Progress,
    gradient_problem,
    needed_return,
    verdict,
)
from grader.naming.matching import Matching
from grader.naming.probes import (
    Answers,
    Diagnostics,
    Observation,
    Probe,
    Sizes,
    Variation,
    close_grad,
    flat,
    make_probe,
)
from grader.naming.variants import Spelling, SuspectRules, Variant, standardized
from grader.naming.walkthrough import Turn, Walkthrough, num, row
from grader.text import fmt

HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)  # a normal density's log has −½·log 2π per dimension

__all__ = [
    "DECIDE_EVERY",
    "HALF_LOG_2PI",
    "LIBRARY",
    "Adam",
    "Answer",
    "Answers",
    "Argument",
    "Case",
    "Check",
    "Contract",
    "Diagnostics",
    "Exercise",
    "Expected",
    "Judged",
    "Learning",
    "LossGrad",
    "Matching",
    "Mistake",
    "Observation",
    "Part",
    "Probe",
    "Progress",
    "Sizes",
    "Spelling",
    "Solution",
    "SuspectRules",
    "Trial",
    "Turn",
    "Variant",
    "Variation",
    "Walkthrough",
    "close_grad",
    "flat",
    "float64_answer",
    "gradient_problem",
    "fmt",
    "make_probe",
    "needed_return",
    "num",
    "row",
    "standardized",
    "verdict",
]
