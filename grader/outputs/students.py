"""Each student's grade of record: the entry's raw score, less a late penalty when a late policy
is set, plus the points the course staff added or removed in OUT/overrides.csv.

One line per student (each member of a group gets the group's entry, with their own due date,
so an extension the export gives one member counts for that member). The raw score is never
changed: the penalty and the adjustments are columns of their own, and `final` is
max(0, raw − penalty) + adjustments. A grader error has no grade, so no final either.

overrides.csv belongs to the TA: the batch creates it with its header line when it is absent
and never writes it again, so it survives every rerun, `--force` and `--only` included.
Each line names a student by SID, email, name or entry, in any case.
"""

from __future__ import annotations

import csv
import math
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import List, Optional, Sequence, Tuple, Union

from grader.errors import GraderError
from grader.outputs.atomic import write_atomic
from grader.outputs.results import GRADER_ERROR
from grader.outputs.table import Person, Row, lateness
from grader.text import printable

OVERRIDES = "overrides.csv"
OVERRIDES_HEADER = ("student", "points", "comment")
UNITS = {"hour": 1.0, "day": 24.0}
_POLICY = re.compile(
    r"\s*(?P<percent>\d+(?:\.\d+)?)%?\s*/\s*(?P<unit>hour|day)"
    r"(?:\s*,\s*cap\s*=\s*(?P<cap>\d+(?:\.\d+)?)%?)?(?:\s*,\s*grace\s*=\s*(?P<grace>\d+(?:\.\d+)?)m(?:in)?)?\s*"
)


@dataclass(frozen=True)
class LatePolicy:
    """A penalty of `percent` of the assignment's points per started hour or day late."""

    percent: float
    unit_hours: float  # 1: per hour, 24: per day
    cap_percent: float = 100.0  # the most a late submission loses
    grace_minutes: float = 0.0  # lateness up to this costs nothing

    def penalty(self, hours_late: float, possible: float) -> float:
        """Points lost for `hours_late` on an assignment worth `possible`."""
        if hours_late <= self.grace_minutes / 60:
            return 0.0
        units = math.ceil(hours_late / self.unit_hours - 1e-9)
        return round(possible * min(self.cap_percent, self.percent * units) / 100, 2)

    def describe(self) -> str:
        unit = "hour" if self.unit_hours == 1 else "day"
        grace = f", {self.grace_minutes:g} minutes' grace" if self.grace_minutes else ""
        return f"{self.percent:g}% of the points per started {unit} late, at most {self.cap_percent:g}%{grace}"


def parse_policy(text: str) -> LatePolicy:
    """`--late-policy`: "10%/day", "5%/hour,cap=50%", "10%/day,cap=30%,grace=15m"."""
    found = _POLICY.fullmatch(text)
    if found is None:
        raise GraderError(f"a late policy reads like 10%/day,cap=50%,grace=15m, not {text!r}")
    cap = float(found["cap"]) if found["cap"] else 100.0
    return LatePolicy(float(found["percent"]), UNITS[found["unit"]], cap, float(found["grace"] or 0))


def policy_of(config: object) -> Optional[LatePolicy]:
    """rubric.json's "late_policy": {"percent": 10, "per": "day", "cap": 50, "grace_minutes": 15}."""
    if config is None:
        return None
    try:
        assert isinstance(config, dict) and config.get("per") in UNITS
        values = [float(config.get(key, default)) for key, default in (("cap", 100), ("grace_minutes", 0))]
        return LatePolicy(float(config["percent"]), UNITS[config["per"]], *values)
    except (AssertionError, KeyError, TypeError, ValueError):
        raise GraderError(
            f'rubric.json\'s "late_policy" is not {{"percent": 10, "per": "day" or "hour", "cap": 50}}: {config!r}'
        ) from None


@dataclass(frozen=True)
class Override:
    student: str  # as the TA wrote it: an SID, email, name or entry
    points: float
    comment: str
    line: int


def read_overrides(path: Path) -> Tuple[List[Override], List[str]]:
    """The TA's adjustments, and a line for each row that could not be read. Creates the file,
    with its header alone, when there is none (module docstring)."""
    if not path.exists():
        write_atomic(path, ",".join(OVERRIDES_HEADER) + "\n")
        return [], []
    found: List[Override] = []
    problems: List[str] = []
    with open(path, newline="", encoding="utf-8-sig", errors="replace") as stream:
        for number, cells in enumerate(csv.reader(stream), start=1):
            if not cells or not "".join(cells).strip() or (number == 1 and cells[0].strip() == "student"):
                continue
            student, points, comment = (cells + ["", "", ""])[:3]
            try:
                found.append(Override(student.strip(), float(points), comment.strip(), number))
            except ValueError:
                problems.append(f"{OVERRIDES} line {number}: {printable(points)!r} is not a number of points")
    return found, problems


@dataclass
class Student:
    """One student's line of the gradebook."""

    row: Row  # the entry's row (table.row_of)
    person: Person  # name, email, sid, due ("" each when the class has no names)
    late: str = ""  # "yes", "no", or "" when unknown
    hours_late: Union[str, float] = ""  # "" when unknown
    late_penalty: float = 0.0
    adjustment: float = 0.0
    comments: List[str] = field(default_factory=list)

    @property
    def final(self) -> Union[str, float]:
        """The grade of record, or "" for a grader error (no grade)."""
        if self.row["status"] == GRADER_ERROR:
            return ""
        return round(max(0.0, self.row["score"] - self.late_penalty) + self.adjustment, 2)

    @property
    def shown(self) -> str:
        """Name and SID, or the entry when the class has no names."""
        who = ", ".join(part for part in (self.person.get("name"), self.person.get("sid")) if part)
        return who or self.row["entry"]


def students(
    rows: Sequence[Row], policy: Optional[LatePolicy] = None, overrides: Sequence[Override] = ()
) -> Tuple[List[Student], List[str]]:
    """Every student's line, and a line for each override that names no student or several."""
    lines: List[Student] = []
    for row in rows:
        for person in row.get("people") or [Person(name=row["name"], email=row["email"], sid=row["sid"], due="")]:
            late, hours = lateness(row.get("submitted", ""), person.get("due", ""))
            line = Student(row, person, late, hours)
            if policy is not None and late == "yes" and row["status"] != GRADER_ERROR:
                line.late_penalty = policy.penalty(float(hours), row["max_score"])
            lines.append(line)
    return lines, _apply(lines, overrides)


def _apply(lines: Sequence[Student], overrides: Sequence[Override]) -> List[str]:
    problems = []
    for override in overrides:
        key = student_key(override.student)
        by_person = [line for line in lines if key in {student_key(line.person[f]) for f in ("sid", "email", "name")}]
        matched = by_person or [line for line in lines if student_key(line.row["entry"]) == key]  # a group: each member
        if not matched or len(by_person) > 1:
            found = "; ".join(f"{m.shown} in {m.row['entry']}" for m in matched)
            what = f"{len(matched)} students ({found})" if matched else "no student"
            problems.append(f"{OVERRIDES} line {override.line}: {printable(override.student)!r} names {what}")
            continue
        for line in matched:
            line.adjustment = round(line.adjustment + override.points, 2)
            comment = printable(override.comment, lines=False)
            line.comments.append(f"{comment} ({override.points:+g})" if comment else f"({override.points:+g})")
    return problems


def student_key(text: str) -> str:
    """A name, SID or email as a TA may type it: case and runs of spaces do not matter."""
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())
