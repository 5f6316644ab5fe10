"""The gradebook in the forms a course imports: OUT/grades.csv, OUT/grades.xlsx and OUT/canvas.csv.

grades.csv is read wrongly by a spreadsheet's default import: LibreOffice garbles
non-ASCII names and drops an SID's leading zeros, and pandas reads SIDs as numbers. grades.xlsx
has the same columns with every text cell stored as text (an SID `01815` stays `01815`, a name
starting with "=" is no formula) and numbers as numbers. canvas.csv is a Canvas gradebook
import: one row per student with the final grade (late penalty and overrides applied), matched
by SIS User ID (the SID) and SIS Login ID (the email), after a "Points Possible" row.
"""

from __future__ import annotations

import csv
import io
from typing import List, Optional, Sequence

from grader.outputs.students import Student, students
from grader.outputs.table import TIMES, Row, number, part_columns, spreadsheet_safe, test_columns

GRADEBOOK = ["late_penalty", "adjustment", "comment", "final"]
SHEET = "grades"
CANVAS_HEADER = ["Student", "ID", "SIS User ID", "SIS Login ID", "Section"]
TEXT_COLUMNS = {"entry", "name", "email", "sid", "status", "reason", "mistakes", "submitted", "due", "late", "comment"}


def gradebook_header(rows: Sequence[Row]) -> List[str]:
    """grades.csv's columns (and grades.xlsx's)."""
    return (
        [
            "entry",
            "name",
            "email",
            "sid",
            "total",
            *part_columns(rows),
            *test_columns(rows),
            "status",
            "reason",
            "mistakes",
        ]
        + TIMES
        + GRADEBOOK
    )


def gradebook_cells(line: Student, columns: Sequence[str], parts: Sequence[str] = ()) -> list:
    """One student's cells (students.Student) under gradebook_header; columns: the test columns;
    parts: the part columns (an exercise of several parts)."""
    row, person = line.row, line.person
    scores = {test["name"]: number(test["score"]) for test in row["tests"]}
    return [
        row["entry"],
        person.get("name", ""),
        person.get("email", ""),
        person.get("sid", ""),
        number(row["score"]),
        *(number(row["parts"][part]) if part in row.get("parts", {}) else "" for part in parts),
        *(scores.get(column, "") for column in columns),
        row["status"],
        row["reason"],
        " ".join(row["mistakes"]),
        row.get("submitted", ""),
        person.get("due", ""),
        line.late,
        line.hours_late,
        number(round(row["seconds"], 2)),
        number(line.late_penalty),
        number(line.adjustment),
        "; ".join(line.comments),
        line.final if isinstance(line.final, str) else number(line.final),
    ]


def grades_csv(rows: Sequence[Row], lines: Optional[Sequence[Student]] = None) -> str:
    """The gradebook: one row per student (students.Student lines, made from `rows` without late
    policy or overrides if not given; each member of a group gets the group's row), text quoted
    and numbers not, so that a spreadsheet told to read quoted fields as text keeps an SID's
    leading zeros. Written with a BOM (CSV_ENCODING) for Excel."""
    if lines is None:
        lines = students(rows)[0]
    columns, parts = test_columns(rows), part_columns(rows)
    stream = io.StringIO()
    writer = csv.writer(stream, quoting=csv.QUOTE_NONNUMERIC)
    writer.writerow(gradebook_header(rows))
    for line in lines:
        cells = gradebook_cells(line, columns, parts)
        writer.writerow([spreadsheet_safe(cell) if isinstance(cell, str) else cell for cell in cells])
    return stream.getvalue()


def _rows(lines: Sequence[Student]) -> List[Row]:
    return list({id(line.row): line.row for line in lines}.values())


def grades_xlsx(lines: Sequence[Student]) -> bytes:
    """grades.csv's table as an Excel workbook (students.Student lines), text kept as text."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    rows = _rows(lines)
    header, columns, parts = gradebook_header(rows), test_columns(rows), part_columns(rows)
    book = Workbook()
    sheet = book.active
    sheet.title = SHEET
    sheet.append(header)
    for line in lines:
        sheet.append([None if cell == "" else cell for cell in gradebook_cells(line, columns, parts)])
    for column, name in enumerate(header, start=1):
        text = name in TEXT_COLUMNS
        for (cell,) in sheet.iter_rows(min_row=2, min_col=column, max_col=column):
            if text and cell.value is not None:
                cell.value, cell.data_type, cell.number_format = str(cell.value), "s", "@"  # never a formula
        widest = max(len(str(cell.value or "")) for (cell,) in sheet.iter_rows(min_col=column, max_col=column))
        sheet.column_dimensions[get_column_letter(column)].width = min(max(8, widest + 2), 60)
    sheet.freeze_panes = "B2"
    sheet.auto_filter.ref = sheet.dimensions
    stream = io.BytesIO()
    book.save(stream)
    return stream.getvalue()


def canvas_csv(lines: Sequence[Student], assignment: str) -> str:
    """A Canvas gradebook import: the final grade of every student who has one, under a column
    named after the assignment (rename it to the Canvas assignment's name before importing)."""
    rows = _rows(lines)
    possible = max((row["max_score"] for row in rows), default=0.0)
    stream = io.StringIO()
    writer = csv.writer(stream)
    writer.writerow(CANVAS_HEADER + [assignment])
    writer.writerow(["Points Possible", "", "", "", "", f"{possible:g}"])
    for line in lines:
        if line.final == "" or not (line.person.get("sid") or line.person.get("email")):
            continue  # a grader error has no grade, and Canvas cannot match a student without an ID
        person = line.person
        cells = [person.get("name", ""), "", person.get("sid", ""), person.get("email", ""), "", f"{line.final:g}"]
        writer.writerow([spreadsheet_safe(cell) for cell in cells])
    return stream.getvalue()
