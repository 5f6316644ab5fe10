"""What a batch writes once grading is over, from every entry's result: grades.csv, report.md,
report.html with the plots, and feedback/<entry>.md for each student."""

from __future__ import annotations

from pathlib import Path
from typing import List, Mapping, Sequence

from grader.batch.entries import Entry
from grader.outputs.feedback import feedback_markdown
from grader.outputs.files import write_atomic
from grader.outputs.report import Header, write_report
from grader.outputs.table import CSV_ENCODING, grades_csv, row_of


def write_class_files(
    out: Path,
    entries: Sequence[Entry],
    documents: Mapping[str, dict],
    result_paths: Mapping[str, Path],
    titles: Mapping[str, str],
    header: Header,
) -> List[dict]:
    """Write the class's files into `out`; return the rows (one per entry with a result)."""
    graded = [entry for entry in entries if entry.name in documents]
    rows = [row_of(e.name, e.people, documents[e.name], submitted=e.submitted, titles=titles) for e in graded]
    write_atomic(out / "grades.csv", grades_csv(rows).encode(CSV_ENCODING))
    write_report(out, rows, titles, header)
    for entry in graded:
        text = feedback_markdown(entry.label, entry.people, documents[entry.name])
        write_atomic(feedback_path(out, result_paths[entry.name]), text)
    return rows


def feedback_path(out: Path, result_path: Path) -> Path:
    """feedback/<entry>.md, named as the entry's result file is (so as distinct)."""
    return out / "feedback" / f"{result_path.stem}.md"
