"""Checks, then diagnosis: everything about one function that does not depend on where it runs.

Used by grade.py (a submission in the sandbox) and selfcheck.py (a student's own
function on their own machine, public cases only).
"""
from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from grader import checks, diagnose
from grader.cases import Case, Expected
from grader.checks import CheckResult

Suspects = Tuple[Sequence[diagnose.Suspect], Mapping[str, object]]  # suspects, catalog by ID
Learn = Callable[[object], Tuple[CheckResult, Dict]]                # oracle -> learning check, extra data


@dataclass
class Assessment:
    checks: List[CheckResult]
    mistakes: Tuple[str, ...] = ()
    extra: Dict = field(default_factory=dict)
    timing: Dict[str, float] = field(default_factory=dict)


def assess(oracle, cases: Dict[str, List[Tuple[Case, Expected]]], weights: Dict[str, float],
           suspects: Callable[[], Suspects], learn: Optional[Learn] = None, hidden_oracle=None) -> Assessment:
    """Grade every check; name the mistake when one fails (a correct function is never diagnosed).
    Hidden cases are asked through hidden_oracle when given, so what they print stays unseen."""
    tick = time.monotonic()
    result = Assessment(checks.run(oracle, cases, weights, hidden_oracle))
    result.timing["checks"] = time.monotonic() - tick
    if not all(check.passed for check in result.checks):
        tick = time.monotonic()
        found_suspects, catalog = suspects()
        found = diagnose.diagnose(diagnose.ask_probes(oracle), found_suspects, catalog)
        result.mistakes = found.mistakes
        result.checks = [_with_diagnosis(check, found.feedback) for check in result.checks]
        result.timing["diagnosis"] = time.monotonic() - tick
    if learn is not None:
        tick = time.monotonic()
        learning, extra = learn(oracle)
        result.checks.append(learning)
        result.extra.update(extra)
        result.timing["learning"] = time.monotonic() - tick
    return result


def _with_diagnosis(check: CheckResult, feedback: str) -> CheckResult:
    if check.passed or not feedback:
        return check
    return dataclasses.replace(check, output=f"{check.output}\n\n{feedback}")


def summary(result: Assessment, catalog: Mapping[str, object], notes: Sequence[str] = ()) -> str:
    """The top-level feedback: what failed, the mistakes by name, and the loader's notes."""
    failed = [check.title for check in result.checks if not check.passed]
    lines = [f"Failed: {', '.join(failed)}." if failed else "All checks passed."]
    if result.mistakes:
        named = "; ".join(f"`{m}`: {catalog[m].title}" for m in result.mistakes)
        lines.append(f"Diagnosis: {named}. The failing tests show the numbers.")
    lines.extend(notes)
    return "\n\n".join(lines)
