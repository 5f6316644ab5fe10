"""A class's results as rows: status, the reason for lost points, grades.csv, and the summary table
printed after a batch."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Dict, List, Mapping, Optional, Sequence, Tuple, TypedDict, Union

from grader.outputs.results import GRADED, GRADER_ERROR, NOT_GRADED, STATUSES, Results, Status
from grader.text import printable

# A spreadsheet runs a cell starting with = + - @ (or tab, CR) as a formula. The TA's may split
# a line on ; tab or | as well as on commas, and trim spaces and quotes, so every place in a
# field where such a cell could start is neutralised with a ' (the text-cell prefix).
CSV_ENCODING = "utf-8-sig"  # a BOM, or Excel reads the UTF-8 of non-ASCII names as Latin-1
PERSON = ("name", "email", "sid", "due")
TIMES = ["submitted", "due", "late", "hours_late", "seconds"]
_FORMULA = re.compile(r'(^|[,;\t|\r\n])([\s"]*)(?=[=+\-@\t\r])')


class Person(TypedDict):
    """A submitter, as the export's metadata names them (PERSON)."""

    name: str
    email: str
    sid: str
    due: str


class TestRow(TypedDict):
    name: str  # without its number
    score: float
    max_score: float
    passed: bool


class _Made(TypedDict):
    entry: str
    name: str  # the submitters', joined by "; "
    email: str
    sid: str
    people: List[Person]
    submitted: str  # when it was uploaded (ISO 8601)
    status: Status
    score: float
    max_score: float
    tests: List[TestRow]
    mistakes: List[str]
    seconds: float
    reason: str  # one line on why it is below full marks, "" when it is not
    learning: Optional[Dict]  # extra_data["learning"], the upload's last learning check (outputs/stats.py)
    code: str  # a hash of its code without comments and blank space
    files: List[str]  # the files found in an upload that was not graded
    recorded: Optional[float]  # the score Gradescope recorded for it
    feedback: str  # feedback/<file>.md, once the batch has named it
    parts: Dict[str, float]  # an exercise of several parts: each part's score, by function
    part_of: Dict[str, str]  # an exercise of several parts: the function each named mistake is in, by ID


class Row(_Made, total=False):
    """One entry of a class, as the CSV, the summary and the report read it (row_of)."""

    absent: bool  # listed in the metadata, with no folder (batch/class_files.py)


def spreadsheet_safe(text: str) -> str:
    return _FORMULA.sub(lambda match: f"{match.group(1)}{match.group(2)}'", text)


def status_of(document: Results) -> Status:
    """graded; not graded (the submission could not run at all, score 0); grader error."""
    return (document.get("extra_data") or {}).get("status", GRADED)


def max_score(document: Results) -> float:
    return float(sum(test.get("max_score", 0) for test in document.get("tests") or []))


def score_text(document: Results) -> str:
    return f"{float(document.get('score', 0)):g}/{max_score(document):g}"


def _short(name: str) -> str:
    """A test's name without its number ("3. Gradient ..." -> "Gradient ...")."""
    number, dot, rest = name.partition(". ")
    return rest if dot and number.isdigit() else name


def row_of(
    entry: str,
    people: Sequence[Mapping[str, str]],
    document: Results,
    submitted: str = "",
    titles: Mapping[str, str] = {},
    recorded: Optional[float] = None,
) -> Row:
    """What the CSV, the summary and the report need to know about one entry. people: its
    submitters (name, email, sid, due); submitted: when it was uploaded (ISO 8601); titles:
    each mistake's one-line title by ID, for the reason an entry lost points; recorded: the
    score Gradescope recorded for it."""
    extra = document.get("extra_data") or {}
    batch = extra.get("batch") or {}
    tests: List[TestRow] = [
        {
            "name": _short(str(test.get("name", ""))),
            "score": float(test.get("score", 0)),
            "max_score": float(test.get("max_score", 0)),
            "passed": test.get("status") == "passed",
        }
        for test in document.get("tests") or []
    ]
    mistakes = [str(mistake) for mistake in extra.get("mistakes") or []]
    shown = [_person(person) for person in people]
    return {  # text from students or Gradescope escaped once, here, for every output
        "entry": printable(entry, lines=False),
        "name": "; ".join(person["name"] for person in shown),
        "email": "; ".join(person["email"] for person in shown),
        "sid": "; ".join(person["sid"] for person in shown),
        "people": shown,
        "submitted": printable(submitted, lines=False),
        "status": status_of(document),
        "score": float(document.get("score", 0)),
        "max_score": max_score(document),
        "tests": tests,
        "mistakes": mistakes,
        "seconds": float(batch.get("seconds", document.get("execution_time", 0.0))),
        "reason": printable(_reason(document, tests, mistakes, titles)),
        "learning": extra.get("learning"),
        "code": str(batch.get("code", "")),  # a hash of its code without comments and blank space
        "files": [printable(str(name), lines=False) for name in batch.get("files") or []],
        "recorded": recorded,
        "feedback": "",  # feedback/<file>.md, once the batch has named it
        "parts": {  # an exercise of several parts: each part's score, by function (results.json's extra_data)
            printable(str(function), lines=False): float(part.get("score", 0))
            for function, part in (extra.get("parts") or {}).items()
            if isinstance(part, dict)
        },
        "part_of": {
            printable(str(mistake), lines=False): printable(str(function), lines=False)
            for function, part in (extra.get("parts") or {}).items()
            if isinstance(part, dict)
            for mistake in part.get("mistakes") or []
        },
    }


def _person(person: Mapping[str, str]) -> Person:
    name, email, sid, due = (printable(str(person.get(key, "")), lines=False) for key in PERSON)
    return {"name": name, "email": email, "sid": sid, "due": due}


def _reason(document: Results, tests: Sequence[TestRow], mistakes: Sequence[str], titles: Mapping[str, str]) -> str:
    """One line saying why an entry is below full marks ("" when it is not)."""
    extra = document.get("extra_data") or {}
    status = status_of(document)
    if status == GRADER_ERROR:
        lines = [line for line in str(extra.get("grader_fault", "")).splitlines() if line.strip()]
        return lines[-1].strip() if lines else GRADER_ERROR
    if status == NOT_GRADED:
        return _line(extra.get("not_graded", {"reason": ""})["reason"])
    lost = [f"{number}. {test['name']}" for number, test in enumerate(tests, 1) if test["score"] < test["max_score"]]
    if not lost:
        return ""
    cause = _line(extra.get("wrong", ""))[:300] if not mistakes and not any(test["score"] for test in tests) else ""
    if cause:  # it crashed, hung or ran out of memory: that, not the list of every test, is the reason
        return f"scored 0: {cause}"
    if len(lost) > 2:  # their names are the CSV's column heads
        lost = [f"tests {', '.join(name.split('.')[0] for name in lost)}"]
    named = "; ".join(
        f"{mistake} ({_line(titles[mistake])})" if titles.get(mistake) else mistake for mistake in mistakes
    )
    failed = f"failed: {', '.join(lost)}{_hidden(extra.get('hidden') or {})}"
    return f"{named}; {failed}" if named else failed


def _hidden(counts: Mapping[str, dict]) -> str:
    """How many hidden cases each check failed, which its student is not told (checks/trials.Hidden)."""
    told = [f"{key} {got.get('failed')} of {got.get('of')}" for key, got in counts.items() if got.get("failed")]
    return f" (hidden cases failed: {', '.join(told)})" if told else ""


def _line(text: str) -> str:
    return " ".join(str(text).split())


def part_columns(rows: Sequence[Row]) -> List[str]:
    """The parts' names, in the order the results list them, when the exercise has several."""
    names: List[str] = []
    for row in rows:
        names.extend(name for name in row.get("parts", {}) if name not in names)
    return names


def test_columns(rows: Sequence[Row]) -> List[str]:
    """Every test name, in the order the results list them (grader errors have none of them)."""
    names: List[str] = []
    for row in rows:
        if row["status"] != GRADER_ERROR:
            names.extend(test["name"] for test in row["tests"] if test["name"] not in names)
    return names


def lateness(submitted: str, due: str) -> Tuple[str, Union[str, float]]:
    """("yes" or "no", hours late) from two ISO 8601 times; ("", "") when either is unknown."""
    try:
        seconds = (datetime.fromisoformat(submitted) - datetime.fromisoformat(due)).total_seconds()
    except (ValueError, TypeError):  # missing, or one with a time zone and one without
        return "", ""
    return ("yes", number(round(seconds / 3600, 2))) if seconds > 0 else ("no", 0)


def number(value: float) -> Union[int, float]:
    """A number as the CSV writes it: 100, not 100.0."""
    return int(value) if float(value).is_integer() else value


def who(row: Row) -> str:
    """An entry's submitters as a TA looks them up: "Ada Lovelace (01815); Alan Turing (01234)"."""
    return "; ".join(
        f"{person['name']} ({person['sid']})" if person.get("sid") else person.get("name") or person.get("email", "")
        for person in row.get("people") or []
    )


def summary_table(rows: Sequence[Row]) -> str:
    """The class at a glance, for the terminal."""
    if not rows:
        return "No entries."
    names = [printable(row["entry"], lines=False) for row in rows]
    people = [who(row) for row in rows]
    width = min(max(len("entry"), *(len(name) for name in names)), 32)
    wide = min(max(len("student"), *(len(person) for person in people)), 32) if any(people) else 0
    rule = "-" * (width + wide + 42)
    student = f"{'student':<{wide}}  " if wide else ""
    lines = [f"{'entry':<{width}}  {student}{'score':>9}  {'status':<12}  mistakes", rule]
    for name, person, row in zip(names, people, rows):
        score = f"{row['score']:g}/{row['max_score']:g}" if row["status"] != GRADER_ERROR else "-"
        detail = ", ".join(row["mistakes"]) or (printable(row["reason"])[:60] if row["status"] != GRADED else "")
        if not detail and row["score"] == 0 and row["reason"]:
            detail = row["reason"][:60]
        person = f"{_cut(person, wide):<{wide}}  " if wide else ""
        cells = f"{_cut(name, width):<{width}}  {person}{score:>9}  {row['status']:<12}  {detail}"
        lines.append(cells.rstrip())
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUSES}
    full = sum(row["status"] == GRADED and row["max_score"] > 0 and row["score"] == row["max_score"] for row in rows)
    lines.append(rule)
    lines.append(
        f"{len(rows)} entries: {counts[GRADED]} {GRADED} ({full} with full marks), "
        f"{counts[NOT_GRADED]} {NOT_GRADED}, {counts[GRADER_ERROR]} {GRADER_ERROR}"
    )
    return "\n".join(lines)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
