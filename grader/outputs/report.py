"""The class report: OUT/report.md, OUT/report.html and the PNG plots beside them.

``write_report(out, rows, titles, header)`` takes the rows that table.row_of() makes
(their fields are listed in stats.py). report.md and report.html say the same: the HTML
is the Markdown rendered, with the plots embedded, so that one file can be mailed.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from pathlib import Path
from typing import List, Mapping, Sequence

from grader.outputs import plots, stats
from grader.outputs.files import write_atomic
from grader.outputs.results import GRADED, STATUSES
from grader.text import Markdown, code, printable

SLOWEST = 5
EXAMPLES = 4  # entries named per mistake


@dataclass(frozen=True)
class Header:
    """What a head TA asks first: which class, when, graded by what."""

    folder: str = ""
    date: str = ""
    grader_version: str = ""
    rubric: str = ""  # a short hash of the rubric, the cases and the reference
    exercise: str = ""


def write_report(
    out: Path, rows: Sequence[dict], titles: Mapping[str, str] = {}, header: Header = Header()
) -> List[Path]:
    """Write report.md, report.html and the plots into `out`; return the paths written.
    titles: each mistake's one-line title by ID."""
    from grader.outputs.report_html import html

    out.mkdir(parents=True, exist_ok=True)
    images = plots.draw(rows, headline(rows))
    written = []
    for name, data in images.items():
        write_atomic(out / name, data)
        written.append(out / name)
    text = markdown(rows, titles, header)
    write_atomic(out / "report.md", text)
    write_atomic(out / "report.html", html(text, images, title=_title(header)))
    return [out / "report.md", out / "report.html", *written]


def headline(rows: Sequence[dict]) -> str:
    scored = stats.scored(rows)
    if not scored:
        return f"{len(rows)} entries"
    mean = statistics.mean(row["score"] for row in scored)
    errored = len(rows) - len(stats.graded(rows))
    return f"{len(rows)} entries · mean {mean:.1f} / {stats.possible(rows):g} · {errored} not graded or errored"


def _title(header: Header) -> str:
    folder = Path(header.folder).name if header.folder else ""
    return " · ".join(part for part in ("Class report", printable(folder), header.date[:10]) if part)


# --- safe text --------------------------------------------------------------------------------


def _line(text: object, limit: int) -> str:
    """First line, control characters written out, capped."""
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    line = printable(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _cell(text: object, limit: int = 120) -> str:
    """One table cell of the grader's own text (test names, mistake titles): no table breaks,
    HTML or links."""
    return _line(text, limit).replace("|", "\\|").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")


def _quoted(text: object, limit: int = 120) -> str:
    """One table cell of a student's text (entry names, error messages) as a code span, where
    Markdown makes no link, autolink (`www.…`, `https://…`), HTML or emphasis of anything; a |
    must still be escaped in a table (GFM splits the row before it reads the span)."""
    line = _line(text, limit)
    return code(line).replace("|", "\\|") if line else ""


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


# --- report.md ----------------------------------------------------------------------------------


def markdown(rows: Sequence[dict], titles: Mapping[str, str] = {}, header: Header = Header()) -> Markdown:
    """The whole report.md. titles: each mistake's one-line title by ID."""
    images = plots.FILES
    lines = ["# Class report", "", *_header(header), f"![overview]({images['overview']})", ""]
    lines += _summary(rows)
    lines += ["", "## Score distribution", "", f"![score histogram]({images['scores']})", ""]
    lines += _distribution(rows)
    lines += ["", "## Pass rate per test", "", "| test | passed | rate |", "|---|---:|---:|"]
    lines += [f"| {_cell(name)} | {n} / {of} | {_pct(n, of)} |" for name, n, of in stats.pass_rates(rows)]
    lines += ["", "## Mistakes, most frequent first", ""]
    lines += _mistakes(rows, titles)
    lines += ["", f"## {stats.curves_title(rows)}", "", f"![learning curves]({images['learning']})", ""]
    lines += _learning(rows)
    lines += ["", "## Entries below full marks", ""]
    lines += _below_full(rows)
    lines += ["", "## Slowest submissions", "", "| entry | seconds | score | status |", "|---|---:|---:|---|"]
    for row in sorted(rows, key=lambda row: -row["seconds"])[:SLOWEST]:
        lines.append(f"| {_quoted(row['entry'], 60)} | {row['seconds']:.1f} | {row['score']:g} | {row['status']} |")
    errored = [row for row in rows if row["status"] != GRADED]
    lines += ["", "## Entries that errored", ""]
    if errored:
        lines += ["| entry | status | why |", "|---|---|---|"]
        lines += [f"| {_quoted(row['entry'], 60)} | {row['status']} | {_quoted(row['reason'])} |" for row in errored]
    else:
        lines.append("None: every entry was graded.")
    seconds = sum(row["seconds"] for row in rows)
    lines += [
        "",
        f"Grading time, summed over entries: {seconds:.0f} s. Per-entry details are in `results/`, "
        "what each student sees in `feedback/`, one row per student in `grades.csv`.",
        "",
    ]
    return Markdown("\n".join(lines))  # every student's text in it went through _quoted


def _header(header: Header) -> List[str]:
    parts = [
        f"graded {_quoted(header.date)}" if header.date else "",
        f"exercise {_quoted(header.exercise)}" if header.exercise else "",
        f"grader {_quoted(header.grader_version)}" if header.grader_version else "",
        f"rubric and reference {_quoted(header.rubric)}" if header.rubric else "",
        f"input {_quoted(header.folder, 200)}" if header.folder else "",
    ]
    shown = " · ".join(part for part in parts if part)
    return [shown[:1].upper() + shown[1:], ""] if shown else []


def _summary(rows: Sequence[dict]) -> List[str]:
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
        f"| full marks | {full} ({_pct(full, len(rows))}) |",
    ]
    if scores:
        lines += [
            f"| mean score | {statistics.mean(scores):.1f} / {top:g} |",
            f"| median score | {statistics.median(scores):g} / {top:g} |",
            f"| lowest / highest | {min(scores):g} / {max(scores):g} |",
        ]
    return lines


def _distribution(rows: Sequence[dict]) -> List[str]:
    scores = [row["score"] for row in stats.scored(rows)]
    if not scores:
        return ["No scores."]
    lines = ["| score | entries | |", "|---|---:|---|"]
    for k, (low, high, count) in enumerate(stats.histogram(scores, stats.possible(rows))):
        label = f"{low:g}–{high:g}" if k < 9 else f"{low:g}–{high:g} (incl.)"
        lines.append(f"| {label} | {count} | {'█' * count} |")
    return lines


def _mistakes(rows: Sequence[dict], titles: Mapping[str, str]) -> List[str]:
    ranked = stats.mistake_counts(rows)
    if not ranked:
        return ["No known mistake was diagnosed."]
    lines = [
        f"![mistake frequencies]({plots.FILES['mistakes']})",
        "",
        "| # | mistake | what it is | entries | of graded | e.g. |",
        "|---:|---|---|---:|---:|---|",
    ]
    graded = len(stats.graded(rows))
    for rank, (mistake, entries) in enumerate(ranked, start=1):
        examples = ", ".join(_quoted(entry, 40) for entry in entries[:EXAMPLES])
        more = f" +{len(entries) - EXAMPLES}" if len(entries) > EXAMPLES else ""
        lines.append(
            f"| {rank} | `{mistake}` | {_cell(titles.get(mistake, ''))} | {len(entries)} | "
            f"{_pct(len(entries), graded)} | {examples}{more} |"
        )
    return lines


def _learning(rows: Sequence[dict]) -> List[str]:
    runs = stats.learning_runs(rows)
    if not runs:
        return ["No learning curves: the results hold no learning-check data."]
    with_data = [row for row in rows if isinstance(row.get("learning"), dict)]
    learned = sum(bool(row["learning"].get("passed")) for row in with_data)
    return [
        f"{learned} of {len(with_data)} entries trained a policy to the threshold on every seed "
        f"({len(runs)} runs drawn, coloured by the entry's diagnosed mistake; solid lines reached the "
        "threshold, dashed did not)."
    ]


def _below_full(rows: Sequence[dict]) -> List[str]:
    below = sorted((row for row in rows if not stats.full_marks(row)), key=lambda row: (row["score"], row["entry"]))
    if not below:
        return ["None: every entry has full marks."]
    lines = ["| entry | score | status | why |", "|---|---:|---|---|"]
    for row in below:
        score = f"{row['score']:g} / {row['max_score']:g}" if row["max_score"] else "-"
        lines.append(f"| {_quoted(row['entry'], 60)} | {score} | {row['status']} | {_quoted(row['reason'], 160)} |")
    return lines
