"""Hidden-case results held back until grades are published (rubric.json's "hidden_tests").

By default a check is one test over the public and the hidden cases together, its
feedback saying whether any hidden case failed, not how many (trials.Hidden). With
``"hidden_tests": {"visibility": "after_published", "share": 0.5}`` every check
that has hidden cases becomes two tests: one on the public cases alone, visible at
once and worth ``1 - share`` of the check's points, and one on the hidden cases
alone, worth the rest, which Gradescope shows only as its visibility says
(after_published: once the grades are published; after_due_date; hidden: never).
The hidden-case tests give nothing but counts, and counts only when they are seen
once grades are published or never (COUNTED): a test shown after the due date can
still be read before a late resubmission. Everything a student can see before then
(the visible tests, their diagnosis, the summary and its score line) is made from
public cases alone: see assessment.py.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Dict, List, Mapping, Tuple

from grader.checks import verdicts
from grader.checks.cases import CaseSet
from grader.checks.part import Part
from grader.checks.trials import Trial
from grader.checks.verdicts import CheckResult, Public
from grader.text import Markdown

VISIBLE = "visible"
LATER = ("after_published", "after_due_date", "hidden")  # Gradescope's visibilities, but visible
COUNTED = ("after_published", "hidden")  # those whose tests may say how many hidden cases failed
WHEN = {  # how the student-facing text says when a held-back test is shown
    "after_published": "once grades are published",
    "after_due_date": "after the due date",
    "hidden": "to the course staff only",
}


@dataclass(frozen=True)
class Held:
    visibility: str = "after_published"  # one of LATER
    share: float = 0.5  # of each check's points, for its hidden-case test

    def __post_init__(self):
        if self.visibility not in LATER:
            raise ValueError(f"visibility {self.visibility!r} is not one of {', '.join(LATER)}")
        if not 0 < self.share <= 1:
            raise ValueError(f"share {self.share!r} is not a fraction in (0, 1]")


def split(
    weights: Mapping[str, float], cases: CaseSet, held: Held, part: Part
) -> Tuple[Dict[str, float], Dict[str, float]]:
    """The points of each check's public-case test and, for a check with hidden cases, of its
    hidden-case test (learning has no cases: all its points stay visible)."""
    hidden_kinds = {kind for kind, pairs in cases.items() if any(case.hidden for case, _ in pairs)}
    later = {
        check.key: float(weights[check.key]) * held.share
        for check in part.checks
        if check.key in weights and hidden_kinds & set(check.kinds)
    }
    return {key: float(weight) - later.get(key, 0.0) for key, weight in weights.items()}, later


def score_held(
    public: Public,
    hidden: Dict[str, List[Trial]],
    weights: Mapping[str, float],
    cases: CaseSet,
    part: Part,
    held: Held,
) -> List[CheckResult]:
    """The public-case tests (visible) and then the hidden-case tests (held back), whose feedback is
    how many hidden cases failed (COUNTED), or whether any did."""
    shown, later = split(weights, cases, held, part)
    checks = verdicts.judge(public.trials, public.repeat, public.consistency, shown, part)
    return checks + [
        dataclasses.replace(
            check,
            title=f"{check.title} (hidden cases)",
            visibility=held.visibility,
            output=Markdown(check.hidden.said(held.visibility in COUNTED)) if check.hidden else check.output,
        )
        for check in verdicts.judge(hidden, None, None, later, part)
    ]
