"""The report's first section: what a TA must look at by hand, each list with its evidence.

Uploads that were not graded (and the files that were found in them), entries scored 0 because
the code crashed, hung or ran out of memory (with the cause), grader errors, late submissions
(hours late, and the penalty when a late policy is set), an export's folders that its metadata
does not name and the students it lists with no folder, groups of identical code (the same once
comments and blank space are removed), and overrides.csv lines that name no one student.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Dict, List, Sequence

from grader.outputs.cells import linked, quoted
from grader.outputs.results import GRADED, GRADER_ERROR, NOT_GRADED
from grader.outputs.table import Row, who

FILES_SHOWN = 6


def needs_a_human(rows: Sequence[Row], lines: Sequence, problems: Sequence[str] = ()) -> List[str]:
    """The section's Markdown lines; lines: students.Student of every student."""
    parts: List[List[str]] = [
        _not_graded(rows),
        _crashed(rows),
        _errors(rows),
        _late(lines),
        _unlisted(rows),
        _identical(rows),
        _unapplied(problems),
    ]
    found = [part for part in parts if part]
    if not found:
        return ["Nothing: every upload was graded, no code crashed or hung, none is late, no two are the same."]
    return [line for part in found for line in part + [""]][:-1]


def _who(row: Row, named: bool = True) -> str:
    """The submitters' cell, with the | that ends it; nothing in a class without names."""
    return f" {quoted(who(row), 80)} |" if named else ""


def _head(named: bool, *after: str) -> List[str]:
    """A table's heading: the entry, its students when the class has names, then `after`."""
    names = ["entry", *["student"] * named, *after]
    return ["| " + " | ".join(names) + " |", "|" + "---|" * len(names)]


def _not_graded(rows: Sequence[Row]) -> List[str]:
    found = [row for row in rows if row["status"] == NOT_GRADED and not row.get("absent")]  # those: _unlisted
    if not found:
        return []
    named = any(row.get("people") for row in rows)
    lines = [f"**Not graded ({len(found)})**: scored 0 without running.", "", *_head(named, "why", "files found")]
    for row in found:
        files = row.get("files") or []
        shown = ", ".join(quoted(name, 60) for name in files[:FILES_SHOWN])
        more = f" +{len(files) - FILES_SHOWN}" if len(files) > FILES_SHOWN else ""
        entry = linked(row["entry"], row.get("feedback", ""))
        lines.append(f"| {entry} |{_who(row, named)} {quoted(row['reason'], 200)} | {shown + more or 'none'} |")
    return lines


def _crashed(rows: Sequence[Row]) -> List[str]:
    found = [row for row in rows if row["status"] == GRADED and row["reason"].startswith("scored 0: ")]
    if not found:
        return []
    named = any(row.get("people") for row in rows)
    lines = [f"**Scored 0: the code crashed, hung or ran out of memory ({len(found)})**", "", *_head(named, "cause")]
    for row in found:
        cause = quoted(row["reason"][len("scored 0: ") :], 200)
        lines.append(f"| {linked(row['entry'], row.get('feedback', ''))} |{_who(row, named)} {cause} |")
    return lines


def _errors(rows: Sequence[Row]) -> List[str]:
    found = [row for row in rows if row["status"] == GRADER_ERROR]
    if not found:
        return []
    named = any(row.get("people") for row in rows)
    lines = [f"**Grader errors ({len(found)})**: our fault; the next run grades them once more.", ""]
    lines += _head(named, "last line")
    lines += [f"| {quoted(row['entry'], 60)} |{_who(row, named)} {quoted(row['reason'], 200)} |" for row in found]
    return lines


def _late(lines: Sequence) -> List[str]:
    late = sorted((line for line in lines if line.late == "yes"), key=lambda line: -float(line.hours_late))
    if not late:
        return []
    table = [f"**Late ({len(late)})**, latest first", "", "| student | entry | hours late | due | penalty |"]
    table.append("|---|---|---:|---|---:|")
    for line in late:
        penalty = f"{-line.late_penalty:g}" if line.late_penalty else "-"
        row = line.row
        table.append(
            f"| {quoted(line.shown, 80)} | {linked(row['entry'], row.get('feedback', ''))} | {float(line.hours_late):g} "
            f"| {quoted(line.person.get('due', ''), 40)} | {penalty} |"
        )
    return table


def _unlisted(rows: Sequence[Row]) -> List[str]:
    """In an export (some entry has names): folders the metadata does not name, and the reverse."""
    if not any(row.get("people") for row in rows):
        return []
    nameless = [row for row in rows if not row.get("people")]
    absent = [row for row in rows if row.get("absent")]
    lines = []
    if nameless:
        names = ", ".join(quoted(row["entry"], 60) for row in nameless)
        lines.append(f"**Folders the export's metadata does not name ({len(nameless)})**: {names}")
    if absent:
        names = ", ".join(f"{quoted(who(row), 80)} ({quoted(row['entry'], 60)})" for row in absent)
        lines += [""] * bool(lines) + [f"**Students the metadata lists with no folder ({len(absent)})**: {names}"]
    return lines


def _identical(rows: Sequence[Row]) -> List[str]:
    groups: Dict[str, List[Row]] = defaultdict(list)
    for row in rows:
        if row.get("code") and row["status"] == GRADED:
            groups[row["code"]].append(row)
    same = sorted((group for group in groups.values() if len(group) > 1), key=lambda group: -len(group))
    if not same:
        return []
    counted = f"{len(same)} group{'s' * (len(same) > 1)}"
    lines = [f"**Identical code ({counted})**: the same once comments and blank space are removed", ""]
    for group in same:
        entries = ", ".join(
            f"{linked(row['entry'], row.get('feedback', ''))} {quoted(who(row), 80)}".strip() for row in group
        )
        lines.append(f"- {len(group)} entries: {entries}")
    return lines


def _unapplied(problems: Sequence[str]) -> List[str]:
    if not problems:
        return []
    return [f"**Overrides not applied ({len(problems)})**", ""] + [f"- {quoted(problem, 200)}" for problem in problems]
