"""A class's results as rows: status, CSV, and the summary table printed after a batch."""

from __future__ import annotations

import csv
import io
import re
from typing import List, Sequence

from grader.outputs.results import GRADED, GRADER_ERROR, NOT_GRADED, STATUSES
from grader.text import printable

# A spreadsheet runs a cell starting with = + - @ (or tab, CR) as a formula. The TA's may split
# a line on ; tab or | as well as on commas, and trim spaces and quotes, so every place in a
# field where such a cell could start is neutralised with a ' (the text-cell prefix).
_FORMULA = re.compile(r'(^|[,;\t|\r\n])([\s"]*)(?=[=+\-@\t\r])')


def _spreadsheet_safe(text: str) -> str:
    return _FORMULA.sub(lambda match: f"{match.group(1)}{match.group(2)}'", text)


def status_of(document: dict) -> str:
    """graded; not graded (the submission could not run at all, score 0); grader error."""
    return (document.get("extra_data") or {}).get("status", GRADED)


def max_score(document: dict) -> float:
    return float(sum(test.get("max_score", 0) for test in document.get("tests") or []))


def score_text(document: dict) -> str:
    return f"{float(document.get('score', 0)):g}/{max_score(document):g}"


def _short(name: str) -> str:
    """A test's name without its number ("3. Gradient ..." -> "Gradient ...")."""
    number, dot, rest = name.partition(". ")
    return rest if dot and number.isdigit() else name


def row_of(entry: str, people: Sequence[dict], document: dict) -> dict:
    """What the CSV, the summary and the report need to know about one entry."""
    extra = document.get("extra_data") or {}
    batch = extra.get("batch") or {}
    status = status_of(document)
    reason = ""
    if status == GRADER_ERROR:
        lines = [line for line in str(extra.get("grader_fault", "")).splitlines() if line.strip()]
        reason = lines[-1].strip() if lines else GRADER_ERROR
    elif status == NOT_GRADED:
        reason = str(document.get("output", "")).split("\n\n", 1)[-1].split("\n\n")[0]
        reason = reason.replace("Your submission could not be graded: ", "")
    return {  # text from students or Gradescope escaped once, here, for every output
        "entry": printable(entry),
        "name": printable("; ".join(person.get("name", "") for person in people)),
        "email": printable("; ".join(person.get("email", "") for person in people)),
        "sid": printable("; ".join(person.get("sid", "") for person in people)),
        "status": status,
        "score": float(document.get("score", 0)),
        "max_score": max_score(document),
        "tests": [
            {
                "name": _short(str(test.get("name", ""))),
                "score": float(test.get("score", 0)),
                "max_score": float(test.get("max_score", 0)),
                "passed": test.get("status") == "passed",
            }
            for test in document.get("tests") or []
        ],
        "mistakes": [str(mistake) for mistake in extra.get("mistakes") or []],
        "seconds": float(batch.get("seconds", document.get("execution_time", 0.0))),
        "reason": printable(reason),
        "learning": extra.get("learning"),
    }


def test_columns(rows: Sequence[dict]) -> List[str]:
    """Every test name, in the order the results list them (grader errors have none of them)."""
    names: List[str] = []
    for row in rows:
        if row["status"] != GRADER_ERROR:
            names.extend(test["name"] for test in row["tests"] if test["name"] not in names)
    return names


def grades_csv(rows: Sequence[dict]) -> str:
    columns = test_columns(rows)
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(["entry", "name", "email", "sid", "total", *columns, "mistakes", "seconds", "status"])
    for row in rows:
        scores = {test["name"]: f"{test['score']:g}" for test in row["tests"]}
        writer.writerow(
            [
                _spreadsheet_safe(cell)
                for cell in [
                    row["entry"],
                    row["name"],
                    row["email"],
                    row["sid"],
                    f"{row['score']:g}",
                    *(scores.get(column, "") for column in columns),
                    " ".join(row["mistakes"]),
                    f"{row['seconds']:.2f}",
                    row["status"],
                ]
            ]
        )
    return stream.getvalue()


def summary_table(rows: Sequence[dict]) -> str:
    """The class at a glance, for the terminal."""
    if not rows:
        return "No entries."
    names = [printable(row["entry"]) for row in rows]
    width = min(max(len("entry"), *(len(name) for name in names)), 40)
    lines = [f"{'entry':<{width}}  {'score':>9}  {'status':<12}  mistakes", "-" * (width + 40)]
    for name, row in zip(names, rows):
        entry = name if len(name) <= width else name[: width - 1] + "…"
        score = f"{row['score']:g}/{row['max_score']:g}" if row["status"] != GRADER_ERROR else "-"
        detail = ", ".join(row["mistakes"]) or (printable(row["reason"])[:60] if row["status"] != GRADED else "")
        lines.append(f"{entry:<{width}}  {score:>9}  {row['status']:<12}  {detail}".rstrip())
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUSES}
    full = sum(row["status"] == GRADED and row["max_score"] > 0 and row["score"] == row["max_score"] for row in rows)
    lines.append("-" * (width + 40))
    lines.append(
        f"{len(rows)} entries: {counts[GRADED]} {GRADED} ({full} with full marks), "
        f"{counts[NOT_GRADED]} {NOT_GRADED}, {counts[GRADER_ERROR]} {GRADER_ERROR}"
    )
    return "\n".join(lines)
