"""The class's numbers, shared by report.md, report.html and the plots.

Every function takes the rows that table.row_of() makes, one per entry (table.Row); their
``learning`` is the results' ``extra_data["learning"]``: ``{"passed", "threshold", "summary",
"runs": [{"seed", "passed", "iterations", "env_steps", "returns": [...]}]}``, or None.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

from grader.outputs.results import GRADED, GRADER_ERROR
from grader.outputs.table import Row

NO_MISTAKE = "no mistake named"  # the learning curves' group for an entry without a diagnosis


def graded(rows: Sequence[Row]) -> List[Row]:
    return [row for row in rows if row["status"] == GRADED]


def scored(rows: Sequence[Row]) -> List[Row]:
    """Entries that have a score out of the rubric's total (a grader error has none)."""
    return [row for row in rows if row["status"] != GRADER_ERROR]


def possible(rows: Sequence[Row]) -> float:
    return max((row["max_score"] for row in scored(rows)), default=0.0)


def full_marks(row: Row) -> bool:
    return row["status"] == GRADED and row["max_score"] > 0 and row["score"] == row["max_score"]


def mistake_counts(rows: Sequence[Row]) -> List[Tuple[str, List[str]]]:
    """(mistake ID, entries) ranked by how many entries made it, then by ID."""
    found: Dict[str, List[str]] = {}
    for row in rows:
        for mistake in dict.fromkeys(row["mistakes"]):
            found.setdefault(mistake, []).append(row["entry"])
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def mistake_parts(rows: Sequence[Row]) -> Dict[str, str]:
    """The part (function) each mistake was named in, for an exercise of several parts ({} otherwise)."""
    return {mistake: function for row in rows for mistake, function in row.get("part_of", {}).items()}


def pass_rates(rows: Sequence[Row]) -> List[Tuple[str, int, int]]:
    """(test name, passed, attempted) for every test, in the results' order."""
    order: List[str] = []
    passed: Dict[str, int] = {}
    attempted: Dict[str, int] = {}
    for row in scored(rows):
        for test in row["tests"]:
            if test["name"] not in attempted:
                order.append(test["name"])
            attempted[test["name"]] = attempted.get(test["name"], 0) + 1
            passed[test["name"]] = passed.get(test["name"], 0) + bool(test["passed"])
    return [(name, passed[name], attempted[name]) for name in order]


def bins(top: float) -> List[float]:
    """Ten equal score bins from 0 to `top`, as 11 edges."""
    step = top / 10 if top > 0 else 1.0
    return [step * k for k in range(11)]


def histogram(scores: Sequence[float], top: float) -> List[Tuple[float, float, int]]:
    """(low, high, entries) per bin; the last bin includes its upper edge."""
    edges = bins(top)
    return [
        (edges[k], edges[k + 1], sum(edges[k] <= s < edges[k + 1] or (k == 9 and s == edges[k + 1]) for s in scores))
        for k in range(10)
    ]


@dataclass(frozen=True)
class Run:
    """One learning-check run of one entry."""

    entry: str
    group: str  # what the entry's curves are coloured by: its mistakes, or NO_MISTAKE
    passed: bool
    returns: List[float]


def group_of(row: Row) -> str:
    return " + ".join(dict.fromkeys(row["mistakes"])) or NO_MISTAKE


def learning_runs(rows: Sequence[Row]) -> List[Run]:
    """Every learning-check run in the results."""
    runs = []
    for row in rows:
        learning = row.get("learning")
        if not isinstance(learning, dict):
            continue
        for run in learning.get("runs") or []:
            returns = run.get("returns") if isinstance(run, dict) else None
            if isinstance(returns, list) and returns:
                values = [float(value) for value in returns]
                runs.append(Run(row["entry"], group_of(row), bool(run.get("passed")), values))
    return runs


def curves_title(rows: Sequence[Row]) -> str:
    """The learning curves' heading, with the environment the results name (the exercise's
    trainer does: "CartPole-v1 learning curves"), or just "Learning curves"."""
    for row in rows:
        learning = row.get("learning")
        if isinstance(learning, dict) and isinstance(learning.get("env"), str) and learning["env"]:
            return f"{learning['env']} learning curves"
    return "Learning curves"


def threshold(rows: Sequence[Row]) -> Optional[float]:
    """The learning check's return threshold, as the results recorded it."""
    for row in rows:
        learning = row.get("learning")
        if isinstance(learning, dict) and isinstance(learning.get("threshold"), (int, float)):
            return float(learning["threshold"])
    return None
