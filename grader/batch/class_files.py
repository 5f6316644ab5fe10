"""What a batch writes once grading is over, from every entry's result: grades.csv, grades.xlsx,
canvas.csv, report.md, report.html with the plots, feedback/<entry>.md for each student, and the
regrade trail (history.jsonl, changes.md). OUT/overrides.csv is read, and made if absent, never
rewritten (outputs/students.py)."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from grader.batch.entries import Entry
from grader.outputs.atomic import write_atomic
from grader.outputs.feedback import feedback_markdown
from grader.outputs.gradebook import canvas_csv, grades_csv, grades_xlsx
from grader.outputs.report import Header, markdown, write_report
from grader.outputs.results import GRADED, NOT_GRADED, Results
from grader.outputs.students import OVERRIDES, LatePolicy, Student, parse_policy, policy_of, read_overrides, students
from grader.outputs.table import CSV_ENCODING, Row, row_of
from grader.outputs.trail import CHANGES, SHOWN, differences, last_run, record, section, snapshot


@dataclass
class Written:
    """What the terminal is told after the files are written."""

    rows: List[Row]
    lines: List[Student]
    changes: List[str] = field(default_factory=list)
    gradescope: List[str] = field(default_factory=list)  # differences with Gradescope's recorded scores
    problems: List[str] = field(default_factory=list)  # overrides.csv lines not applied


def write_class_files(
    out: Path,
    entries: Sequence[Entry],
    documents: Mapping[str, Results],
    result_paths: Mapping[str, Path],
    titles: Mapping[str, str],
    header: Header,
    policy: Optional[LatePolicy] = None,
) -> Written:
    """Write the class's files into `out` (module docstring)."""
    graded = [entry for entry in entries if entry.name in documents]
    rows = []
    for entry in graded:
        row = row_of(entry.name, entry.people, documents[entry.name], entry.submitted, titles, entry.recorded)
        row["feedback"] = feedback_path(out, result_paths[entry.name]).relative_to(out).as_posix()
        row["absent"] = bool(entry.refused) and not os.path.lexists(entry.path)
        rows.append(row)
    overrides, problems = read_overrides(out / OVERRIDES)
    lines, unapplied = students(rows, policy, overrides)
    written = Written(rows, lines, problems=problems + unapplied, gradescope=differences(rows))
    write_atomic(out / "grades.csv", grades_csv(rows, lines).encode(CSV_ENCODING))
    write_atomic(out / "grades.xlsx", grades_xlsx(lines))
    write_atomic(out / "canvas.csv", canvas_csv(lines, header.exercise or "grade"))  # UTF-8, no BOM
    previous = last_run(out)
    now = {"date": header.date, "grader": header.grader_version, "rubric": header.rubric, "students": snapshot(lines)}
    written.changes = record(out, now, previous)
    recorded = sum(row["recorded"] is not None for row in rows)
    regrades = section(written.changes, previous, written.gradescope, recorded)
    write_report(out, rows, markdown(rows, titles, header, lines, written.problems, regrades), header)
    by_entry: Dict[int, List[Student]] = {}
    for line in lines:
        by_entry.setdefault(id(line.row), []).append(line)
    for entry, row in zip(graded, rows):
        text = feedback_markdown(entry.label, entry.people, documents[entry.name], by_entry.get(id(row), []), policy)
        write_atomic(feedback_path(out, result_paths[entry.name]), text)
    return written


def feedback_path(out: Path, result_path: Path) -> Path:
    """feedback/<entry>.md, named as the entry's result file is (so as distinct)."""
    return out / "feedback" / f"{result_path.stem}.md"


PREVIOUS = "previous"  # OUT/previous/: the result each regraded entry had before


def keep_previous(result: Path) -> None:
    """Move an entry's result aside before it is replaced (--only, --force, a new grader or
    rubric), so the grade it had stays readable beside the trail."""
    if result.exists():
        os.replace(result, result.parent.parent / PREVIOUS / result.name)


def late_policy_of(exercise: str, flag: Optional[str]) -> Optional[LatePolicy]:
    """The late policy: `--late-policy` if given, else rubric.json's "late_policy", else none."""
    from grader.course.registry import folders

    if flag:
        return parse_policy(flag)
    config = json.loads((folders(exercise)[1] / "rubric.json").read_text())
    return policy_of(config.get("late_policy"))


def told(written: Written, out: str) -> List[str]:
    """What the terminal says after the summary table: what needs a human, what changed."""
    rows, lines = written.rows, written.lines
    counts = [
        (sum(row["status"] == NOT_GRADED and not row["absent"] for row in rows), "not graded"),
        (sum(row["absent"] for row in rows), "listed in the metadata with no folder"),
        (
            sum(row["status"] == GRADED and row["reason"].startswith("scored 0: ") for row in rows),
            "scored 0 by a crash, hang or lack of memory",
        ),
        (sum(line.late == "yes" for line in lines), "late"),
        (len(written.problems), f"{OVERRIDES} lines not applied"),
    ]
    said = [
        "",
        "Needs a human (report.html lists them first): "
        + (", ".join(f"{n} {what}" for n, what in counts if n) or "nothing"),
    ]
    said += [f"  {problem}" for problem in written.problems]
    if written.changes:
        said += ["", f"Changed since the last run ({len(written.changes)}):"]
        said += [f"  {change}" for change in written.changes[:SHOWN]]
        said += [f"  … {len(written.changes) - SHOWN} more in {out}/{CHANGES}"] * (len(written.changes) > SHOWN)
    if written.gradescope:
        said += ["", f"{len(written.gradescope)} entries differ from the score Gradescope recorded:"]
        said += [f"  {line}" for line in written.gradescope[:SHOWN]]
        said += [f"  … {len(written.gradescope) - SHOWN} more in {out}/report.md"] * (len(written.gradescope) > SHOWN)
    said += [
        "",
        f"Wrote {out}/results/ ({len(rows)} results), {out}/feedback/, {out}/grades.csv, {out}/grades.xlsx, "
        f"{out}/canvas.csv, {out}/report.md and {out}/report.html; adjustments go in {out}/{OVERRIDES}",
    ]
    return said
