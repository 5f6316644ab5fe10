"""The regrade trail: what changed for each student since the batch's last run, and where the
batch's score differs from the one Gradescope recorded in the export.

Every finished run appends one line to OUT/history.jsonl: when, which grader and rubric, and
each student's entry, score, final grade, status and mistakes. The next run compares itself with
the last line and writes what changed to OUT/changes.md ("Ada Lovelace (01815),
submission_2417731: 15 → 100, sign_flipped fixed"), prints it, and puts it in the report.
Results an `--only`, `--force` or changed grader replaced are kept in OUT/previous/ (run.py).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from grader.outputs.atomic import write_atomic
from grader.outputs.cells import quoted
from grader.outputs.table import Row, who
from grader.text import Markdown

HISTORY = "history.jsonl"
CHANGES = "changes.md"
SHOWN = 20  # change lines printed on the terminal; the rest are in changes.md


def snapshot(lines: Sequence) -> Dict[str, dict]:
    """Each student's grade (students.Student), keyed by SID, else email, else name and entry."""
    found: Dict[str, dict] = {}
    for line in lines:
        person, row = line.person, line.row
        key = person.get("sid") or person.get("email") or f"{person.get('name', '')}\0{row['entry']}"
        found[key] = {
            "who": line.shown,
            "entry": row["entry"],
            "score": row["score"],
            "max_score": row["max_score"],
            "final": line.final,
            "status": row["status"],
            "mistakes": list(row["mistakes"]),
        }
    return found


def last_run(out: Path) -> Optional[dict]:
    """The last line of OUT/history.jsonl, or None (no run yet, or a line cut short)."""
    try:
        lines = (out / HISTORY).read_text(encoding="utf-8").splitlines()
        run = json.loads(lines[-1]) if lines else None
    except (OSError, ValueError):
        return None
    return run if isinstance(run, dict) and isinstance(run.get("students"), dict) else None


def record(out: Path, run: dict, previous: Optional[dict]) -> List[str]:
    """Append this run ({"date", "grader", "rubric", "students": snapshot}) to the history, write
    changes.md, and return the changes, one line per student (plain text)."""
    changes = compare(previous, run) if previous is not None else []
    with open(out / HISTORY, "a", encoding="utf-8") as stream:
        stream.write(json.dumps(run, ensure_ascii=False) + "\n")
    since = f"since the run of {previous.get('date', '?')}" if previous else "(this is the first run)"
    body = [f"- {quoted(change, 300)}" for change in changes] or ["No grade changed."] * bool(previous)
    write_atomic(out / CHANGES, Markdown("\n".join([f"# Changes {since}", "", *body, ""])))
    return changes


def compare(before: dict, now: dict) -> List[str]:
    """What changed between two runs, one line per student who changed; the grader or rubric
    first when they changed."""
    lines = []
    for key, what in (("grader", "grader"), ("rubric", "rubric and reference")):
        if before.get(key) != now.get(key):
            lines.append(f"{what} {before.get(key) or '?'} → {now.get(key) or '?'}")
    old, new = before["students"], now["students"]
    for key in sorted(set(old) | set(new), key=lambda key: (new.get(key) or old[key])["who"]):
        said = _change(old.get(key), new.get(key))
        if said:
            student = new.get(key) or old[key]
            lines.append(f"{student['who']}, {student['entry']}: {said}")
    return lines


def _change(old: Optional[dict], new: Optional[dict]) -> str:
    if old is None:
        return f"new, {_grade(new)}" if new is not None else ""
    if new is None:
        return f"no longer in the class (was {_grade(old)})"
    parts = []
    if (old["score"], old["max_score"], old["status"]) != (new["score"], new["max_score"], new["status"]):
        parts.append(f"{_grade(old)} → {_grade(new)}")
    graded = old["final"] != "" and new["final"] != ""  # a grader error has no final grade
    if graded and old["final"] - old["score"] != new["final"] - new["score"]:  # a penalty or override changed
        parts.append(f"final {old['final']:g} → {new['final']:g}")
    fixed = [mistake for mistake in old["mistakes"] if mistake not in new["mistakes"]]
    made = [mistake for mistake in new["mistakes"] if mistake not in old["mistakes"]]
    parts += [f"{', '.join(fixed)} fixed"] * bool(fixed) + [f"now {', '.join(made)}"] * bool(made)
    if old["entry"] != new["entry"]:
        parts.append(f"was {old['entry']}")
    return ", ".join(parts)


def _grade(student: dict) -> str:
    if student["status"] == "grader error":
        return "grader error"
    shown = f"{student['score']:g}"
    return shown if student["status"] == "graded" else f"{shown} ({student['status']})"


def differences(rows: Sequence[Row]) -> List[str]:
    """Entries whose score here is not the one Gradescope recorded (the export's metadata)."""
    found = []
    for row in rows:
        recorded = row.get("recorded")
        if recorded is not None and row["status"] != "grader error" and abs(row["score"] - recorded) > 0.005:
            student = who(row) or row["entry"]
            found.append(f"{student}, {row['entry']}: Gradescope {recorded:g}, here {row['score']:g}")
    return found


def section(changes: Sequence[str], previous: Optional[dict], gradescope: Sequence[str], recorded: int) -> List[str]:
    """The report's "Regrades" lines ([] when there is nothing to say: a first run, no export scores)."""
    lines: List[str] = []
    if previous is not None:
        changed = f"{len(changes)} change{'s' * (len(changes) != 1)}"
        lines.append(f"**Since the last run** ({quoted(previous.get('date', '?'))}): {changed}.")
        lines += [""] + [f"- {quoted(change, 300)}" for change in changes] if changes else []
    if recorded:
        same = recorded - len(gradescope)
        lines += [""] * bool(lines) + [
            f"**Against Gradescope's recorded scores**: {same} of {recorded} entries the same, "
            f"{len(gradescope)} different."
        ]
        lines += [""] + [f"- {quoted(line, 300)}" for line in gradescope] if gradescope else []
    return lines
