"""The class report: OUT/report.md, OUT/report.html and the PNG plots beside them.

``markdown(rows, ...)`` makes report.md from the rows that table.row_of() makes (their
fields: table.Row) and every student's gradebook line (students.py);
``write_report`` writes it, report.html and the plots. report.md and report.html say the
same: the HTML is the Markdown rendered, with the plots embedded and the students' table
sortable, so that one file can be mailed. Each plot is shown once, in its section.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Optional, Sequence

from grader.outputs import plots, stats
from grader.outputs.atomic import write_atomic
from grader.outputs.cells import cell, linked, pct, quoted
from grader.outputs.human import needs_a_human
from grader.outputs.results import GRADER_ERROR, STATUSES
from grader.outputs.students import Student, students
from grader.outputs.table import Row
from grader.text import Markdown, printable

SLOWEST = 5
EXAMPLES = 4  # entries named per mistake
SORTING = "In report.html, click a column's heading to sort by it, and type in the box above the table to filter it."


@dataclass(frozen=True)
class Header:
    """What a head TA asks first: which class, when, graded by what."""

    folder: str = ""
    date: str = ""
    grader_version: str = ""
    rubric: str = ""  # a short hash of the rubric, the cases and the reference
    exercise: str = ""


def write_report(out: Path, rows: Sequence[Row], text: Markdown, header: Header = Header()) -> List[Path]:
    """Write report.md (`text`, made by markdown()), report.html and the plots into `out`; return
    the paths written."""
    from grader.outputs.report_html import html

    out.mkdir(parents=True, exist_ok=True)
    images = plots.draw(rows)
    written = []
    for name, data in images.items():
        write_atomic(out / name, data)
        written.append(out / name)
    write_atomic(out / "report.md", text)
    write_atomic(out / "report.html", html(text, images, title=_title(header)))
    return [out / "report.md", out / "report.html", *written]


def _title(header: Header) -> str:
    folder = Path(header.folder).name if header.folder else ""
    return " · ".join(part for part in ("Class report", printable(folder), header.date[:10]) if part)


# --- report.md ----------------------------------------------------------------------------------


def markdown(
    rows: Sequence[Row],
    titles: Mapping[str, str] = {},
    header: Header = Header(),
    lines: Optional[Sequence[Student]] = None,
    problems: Sequence[str] = (),
    regrades: Sequence[str] = (),
) -> Markdown:
    """The whole report.md. titles: each mistake's one-line title by ID; lines: every student's
    gradebook line (students.students, made here without late policy or overrides if not given);
    problems: overrides.csv lines not applied; regrades: the trail's section (trail.py)."""
    if lines is None:
        lines = students(rows)[0]
    images = plots.FILES
    text = ["# Class report", "", *_header(header), "## Needs a human", "", *needs_a_human(rows, lines, problems)]
    text += ["", "## Students", "", *_students(lines), "", *_summary(rows)]
    if regrades:
        text += ["", "## Regrades", "", *regrades]
    text += ["", "## Score distribution", "", f"![score histogram]({images['scores']})", ""]
    text += _distribution(rows)
    text += ["", "## Pass rate per test", "", "| test | passed | rate |", "|---|---:|---:|"]
    text += [f"| {cell(name)} | {n} / {of} | {pct(n, of)} |" for name, n, of in stats.pass_rates(rows)]
    text += ["", "## Mistakes, most frequent first", ""]
    text += _mistakes(rows, titles)
    text += ["", f"## {stats.curves_title(rows)}", "", f"![learning curves]({images['learning']})", ""]
    text += _learning(rows)
    text += ["", "## Slowest submissions", "", "| entry | seconds | score | status |", "|---|---:|---:|---|"]
    for row in sorted(rows, key=lambda row: -row["seconds"])[:SLOWEST]:
        text.append(f"| {quoted(row['entry'], 60)} | {row['seconds']:.1f} | {row['score']:g} | {row['status']} |")
    seconds = sum(row["seconds"] for row in rows)
    text += [
        "",
        f"Grading time, summed over entries: {seconds:.0f} s. Per-entry details are in `results/`, "
        "what each student sees in `feedback/`, one row per student in `grades.csv` and `grades.xlsx`, "
        "and the gradebook import in `canvas.csv`.",
        "",
    ]
    return Markdown("\n".join(text))  # every student's text in it went through quoted


def _students(lines: Sequence[Student]) -> List[str]:
    """Every student, lowest grade first: report.html sorts and filters this table (report_html.py)."""
    named = any(line.person.get("name") or line.person.get("sid") for line in lines)
    timed = any(line.late for line in lines)
    head = ["student", "SID", "email"] * named + ["entry", "score", "final"] + ["late (h)"] * timed + ["status", "why"]
    align = {"score": "---:", "final": "---:", "late (h)": "---:"}
    text = [f"{len(lines)} students. {SORTING}", "", "| " + " | ".join(head) + " |"]
    text.append("|" + "|".join(align.get(name, "---") for name in head) + "|")
    for line in sorted(lines, key=lambda line: (_sort_final(line), line.row["entry"])):
        row, person = line.row, line.person
        who = [quoted(person.get(key, ""), 60) for key in ("name", "sid", "email")] * named
        score = f"{row['score']:g} / {row['max_score']:g}" if row["status"] != GRADER_ERROR else "-"
        final = f"{line.final:g}" if not isinstance(line.final, str) else "-"
        late = [f"{float(line.hours_late):g}" if line.late == "yes" else ""] * timed
        cells = [*who, linked(row["entry"], row.get("feedback", "")), score, final, *late, row["status"]]
        text.append("| " + " | ".join(cells + [quoted(row["reason"], 160)]) + " |")
    return text


def _sort_final(line: Student) -> float:
    return -1.0 if isinstance(line.final, str) else float(line.final)


def _header(header: Header) -> List[str]:
    parts = [
        f"graded {quoted(header.date)}" if header.date else "",
        f"exercise {quoted(header.exercise)}" if header.exercise else "",
        f"grader {quoted(header.grader_version)}" if header.grader_version else "",
        f"rubric and reference {quoted(header.rubric)}" if header.rubric else "",
        f"input {quoted(header.folder, 200)}" if header.folder else "",
    ]
    shown = " · ".join(part for part in parts if part)
    return [shown[:1].upper() + shown[1:], ""] if shown else []


def _summary(rows: Sequence[Row]) -> List[str]:
    scores = [row["score"] for row in stats.scored(rows)]
    top = stats.possible(rows)
    full = sum(stats.full_marks(row) for row in rows)
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUSES}
    lines = [
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| entries | {len(rows)} |",
        f"| {' / '.join(STATUSES)} | {' / '.join(str(counts[status]) for status in STATUSES)} |",
        f"| full marks | {full} ({pct(full, len(rows))}) |",
    ]
    if scores:
        lines += [
            f"| mean score | {statistics.mean(scores):.1f} / {top:g} |",
            f"| median score | {statistics.median(scores):g} / {top:g} |",
            f"| lowest / highest | {min(scores):g} / {max(scores):g} |",
        ]
    return lines


def _distribution(rows: Sequence[Row]) -> List[str]:
    scores = [row["score"] for row in stats.scored(rows)]
    if not scores:
        return ["No scores."]
    lines = ["| score | entries | |", "|---|---:|---|"]
    for k, (low, high, count) in enumerate(stats.histogram(scores, stats.possible(rows))):
        label = f"{low:g}–{high:g}" if k < 9 else f"{low:g}–{high:g} (incl.)"
        lines.append(f"| {label} | {count} | {'█' * count} |")
    return lines


def _mistakes(rows: Sequence[Row], titles: Mapping[str, str]) -> List[str]:
    ranked = stats.mistake_counts(rows)
    if not ranked:
        return ["No known mistake was diagnosed."]
    parts = stats.mistake_parts(rows)  # several parts: a column says which each mistake is in
    lines = [
        f"![mistake frequencies]({plots.FILES['mistakes']})",
        "",
        f"| # |{' part |' if parts else ''} mistake | what it is | entries | of graded | e.g. |",
        f"|---:|{'---|' if parts else ''}---|---|---:|---:|---|",
    ]
    graded = len(stats.graded(rows))
    for rank, (mistake, entries) in enumerate(ranked, start=1):
        examples = ", ".join(quoted(entry, 40) for entry in entries[:EXAMPLES])
        more = f" +{len(entries) - EXAMPLES}" if len(entries) > EXAMPLES else ""
        part = f" {quoted(parts.get(mistake, ''), 40)} |" if parts else ""
        lines.append(
            f"| {rank} |{part} `{mistake}` | {cell(titles.get(mistake, ''))} | {len(entries)} | "
            f"{pct(len(entries), graded)} | {examples}{more} |"
        )
    return lines


def _learning(rows: Sequence[Row]) -> List[str]:
    runs = stats.learning_runs(rows)
    if not runs:
        return ["No learning curves: the results hold no learning-check data."]
    with_data = [learning for row in rows if isinstance(learning := row.get("learning"), dict)]
    learned = sum(bool(learning.get("passed")) for learning in with_data)
    return [
        f"{learned} of {len(with_data)} entries trained a policy to the threshold on every seed "
        f"({len(runs)} runs drawn, coloured by the entry's diagnosed mistake; solid lines reached the "
        "threshold, dashed did not)."
    ]
