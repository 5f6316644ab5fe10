"""The grading configuration: point weights, public and hidden cases, expected answers.

Read from assignment/public_cases.json (public) and reference/rubric.json
(instructor only). Importing the reference happens here, lazily, and only
after the sandbox's zygote has been forked (sandbox.Zygote.start checks).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Dict, List, Tuple

from grader.checks.assessment import Catalog
from grader.checks.cases import KINDS, CaseSet, load_cases, solve
from grader.checks.diagnosis import Suspect, build_suspects
from grader.checks.verdicts import TITLES

ROOT = Path(__file__).resolve().parent.parent
PUBLIC_CASES = ROOT / "assignment" / "public_cases.json"
RUBRIC = ROOT / "reference" / "rubric.json"


@dataclass(frozen=True)
class Rubric:
    weights: Dict[str, float]
    cases: CaseSet  # per kind, public cases first

    @property
    def total(self) -> float:
        return sum(self.weights.values())


@lru_cache(maxsize=2)
def load(public_only: bool = False) -> Rubric:
    from reference.pseudo_loss import pseudo_loss  # instructor-only, see module docstring

    config = json.loads(RUBRIC.read_text())
    weights = {key: float(config["weights"][key]) for key in TITLES}  # every check, in order
    public = load_cases(PUBLIC_CASES, hidden=False)
    hidden = {kind: [] for kind in KINDS} if public_only else load_cases(RUBRIC, hidden=True, key="hidden")
    cases = {kind: [(case, solve(pseudo_loss, case)) for case in public[kind] + hidden[kind]] for kind in KINDS}
    return Rubric(weights, cases)


@lru_cache(maxsize=1)
def suspects() -> Tuple[List[Suspect], Catalog]:
    """The diagnosis's suspects from the reference and the mistake catalog, and the catalog by
    ID; built once per process (instructor only, like load)."""
    from reference import mistakes
    from reference.pseudo_loss import pseudo_loss

    return build_suspects(pseudo_loss, mistakes.CATALOG, mistakes.SAME_NUMBERS), {m.id: m for m in mistakes.CATALOG}


def mistake_titles() -> Dict[str, str]:
    """Each catalogued mistake's one-line title, by ID, for the class report."""
    return {mistake_id: entry.title for mistake_id, entry in suspects()[1].items()}
