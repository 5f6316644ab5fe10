"""The gradebook a course imports (grades.xlsx, canvas.csv), the late policy, the TA's overrides,
the needs-a-human list and the regrade trail, on rows made here: no submission is graded."""

from __future__ import annotations

import csv
import io

import pytest
from conftest import batch_row

from grader.errors import GraderError
from grader.outputs.gradebook import canvas_csv, grades_csv, grades_xlsx
from grader.outputs.human import needs_a_human
from grader.outputs.students import LatePolicy, Override, parse_policy, policy_of, read_overrides, students
from grader.outputs.trail import compare, differences, snapshot

DUE = "2025-02-04T23:59:00-08:00"


def person(name: str, sid: str, email: str = "", due: str = DUE) -> dict:
    return {"name": name, "sid": sid, "email": email or f"{name.split()[0].lower()}@x.edu", "due": due}


def graded(entry: str, score: float, people=(), submitted: str = "", **fields) -> dict:
    return batch_row(entry=entry, status="graded", score=score, people=list(people), submitted=submitted, **fields)


def test_late_policy_counts_started_units_caps_and_forgives_the_grace():
    daily = parse_policy("10%/day,cap=30%,grace=15m")
    assert daily == LatePolicy(10.0, 24.0, 30.0, 15.0)
    assert [daily.penalty(hours, 100) for hours in (0.2, 0.3, 24, 24.01, 49, 500)] == [0, 10, 10, 20, 30, 30]
    assert parse_policy("5/hour").penalty(2.5, 80) == 12.0  # 3 started hours of 5% of 80
    assert policy_of({"percent": 10, "per": "day", "cap": 50}) == LatePolicy(10.0, 24.0, 50.0)
    assert policy_of(None) is None
    for wrong in ("10%/week", "ten%/day", "10%"):
        with pytest.raises(GraderError, match="reads like"):
            parse_policy(wrong)
    with pytest.raises(GraderError, match="late_policy"):
        policy_of({"percent": 10, "per": "fortnight"})


def test_each_student_gets_the_penalty_of_their_own_due_date_and_the_raw_score_is_kept():
    extension = "2025-02-06T23:59:00-08:00"
    pair = [person("Zoë Ng", "007"), person("Li Wei", "0042", due=extension)]  # Li has an extension
    rows = [graded("submission_1", 90.0, pair, "2025-02-05T11:59:00-08:00")]  # 12 hours after the due date
    lines, problems = students(rows, parse_policy("10%/day"))
    zoe, li = lines
    assert (zoe.late, zoe.hours_late, zoe.late_penalty, zoe.final) == ("yes", 12, 10.0, 80.0)
    assert (li.late, li.late_penalty, li.final) == ("no", 0.0, 90.0)
    table = list(csv.DictReader(io.StringIO(grades_csv(rows, lines))))
    assert [(row["sid"], row["total"], row["late_penalty"], row["final"]) for row in table] == [
        ("007", "90", "10", "80"),
        ("0042", "90", "0", "90"),
    ]


def test_overrides_name_students_by_sid_email_name_or_entry_and_say_which_they_could_not_apply(tmp_path):
    rows = [
        graded("submission_1", 15.0, [person("Ada Lovelace", "01815")]),
        graded("submission_2", 100.0, [person("Alan Turing", "01234"), person("Grace Hopper", "1906")]),
        graded("submission_3", 50.0, [person("Wei Zhang", "3001", "w1@x.edu")]),
        graded("submission_4", 60.0, [person("Wei Zhang", "3002", "w2@x.edu")]),
        batch_row(entry="loose.py", status="grader error", score=0.0),
    ]
    path = tmp_path / "overrides.csv"
    assert read_overrides(path) == ([], []) and path.read_text() == "student,points,comment\n"  # made for the TA
    path.write_text(
        "student,points,comment\n"
        "01815,+10,regrade request: the sign test was unfair\n"
        "ALAN@x.edu,-5,late slip\n"
        "submission_2,2,group bonus\n"
        "wei zhang,3,which one?\n"
        "nobody,1,\n"
        "3002,ten,\n"
        "\n"
    )
    overrides, problems = read_overrides(path)
    assert [o.student for o in overrides] == ["01815", "ALAN@x.edu", "submission_2", "wei zhang", "nobody"]
    assert problems == ["overrides.csv line 7: 'ten' is not a number of points"]
    lines, unapplied = students(rows, None, overrides)
    assert unapplied == [
        "overrides.csv line 5: 'wei zhang' names 2 students (Wei Zhang, 3001 in submission_3; Wei Zhang, 3002 in submission_4)",
        "overrides.csv line 6: 'nobody' names no student",
    ]
    final = {line.shown: (line.adjustment, line.final, line.comments) for line in lines}
    assert final["Ada Lovelace, 01815"] == (10.0, 25.0, ["regrade request: the sign test was unfair (+10)"])
    assert final["Alan Turing, 01234"] == (-3.0, 97.0, ["late slip (-5)", "group bonus (+2)"])
    assert final["Grace Hopper, 1906"] == (2.0, 102.0, ["group bonus (+2)"])
    assert final["loose.py"] == (0.0, "", [])  # a grader error has no grade


def test_grades_xlsx_keeps_sids_and_names_as_text_and_formulas_inert():
    from openpyxl import load_workbook

    rows = [
        graded("submission_1", 85.5, [person("Éloise N'Diaye", "01815")]),
        graded("=HYPERLINK(1)", 15.0, [person("=cmd|x", "0042")], mistakes=["sign_flipped"]),
    ]
    lines = students(rows)[0]
    sheet = load_workbook(io.BytesIO(grades_xlsx(lines))).active
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    header = table[0]
    first, second = (dict(zip(header, row)) for row in table[1:])
    assert (first["name"], first["sid"], first["total"], first["final"]) == ("Éloise N'Diaye", "01815", 85.5, 85.5)
    assert (second["entry"], second["name"], second["sid"]) == ("=HYPERLINK(1)", "=cmd|x", "0042")
    cells = {cell.value: cell.data_type for row in sheet.iter_rows(min_row=2) for cell in row}
    assert cells["01815"] == cells["=cmd|x"] == cells["=HYPERLINK(1)"] == "s"  # text, never a formula
    assert cells[85.5] == "n"
    assert header == next(csv.reader(io.StringIO(grades_csv(rows, lines).lstrip("\ufeff"))))


def test_canvas_import_has_points_possible_and_each_students_final_grade():
    rows = [
        graded("submission_1", 85.0, [person("Ada Lovelace", "01815")], max_score=100.0),
        graded("folder", 40.0),  # no SID nor email: Canvas could not match it
    ]
    lines = students(rows, None, [Override("01815", -5, "", 2)])[0]
    table = list(csv.reader(io.StringIO(canvas_csv(lines, "discrete"))))
    assert table == [
        ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "discrete"],
        ["Points Possible", "", "", "", "", "100"],
        ["Ada Lovelace", "", "01815", "ada@x.edu", "", "80"],
    ]


def test_needs_a_human_lists_what_to_look_at_with_its_evidence():
    ada = [person("Ada Lovelace", "01815")]
    rows = [
        batch_row(entry="submission_1", reason="no `pseudo_loss` defined", files=["notes.txt", "a.pdf"], people=ada),
        graded("submission_2", 0.0, [person("Bo Li", "2")], reason="scored 0: the function did not answer"),
        graded("submission_3", 100.0, [person("Cy Wu", "3")], "2025-02-06T01:59:00-08:00", code="abc"),
        graded("submission_4", 100.0, [person("Di Ko", "4")], code="abc"),
        graded("submission_5", 100.0, code="def"),  # in an export, but not in its metadata
        batch_row(entry="submission_6", people=[person("Ed Po", "6")], absent=True, reason="no such folder"),
    ]
    lines = students(rows, parse_policy("10%/day"))[0]
    text = "\n".join(needs_a_human(rows, lines, ["overrides.csv line 3: 'x' names no student"]))
    assert "**Not graded (1)**" in text  # Ed Po, listed with no folder, is in his own list below
    assert "| `submission_1` | `Ada Lovelace (01815)` | ``no `pseudo_loss` defined`` | `notes.txt`, `a.pdf` |" in text
    assert "`submission_6` | `Ed Po (6)` | `no such folder`" not in text
    assert "| `submission_2` | `Bo Li (2)` | `the function did not answer` |" in text
    assert "| `Cy Wu, 3` | `submission_3` | 26 | `2025-02-04T23:59:00-08:00` | -20 |" in text  # 2 started days
    assert "**Folders the export's metadata does not name (1)**: `submission_5`" in text
    assert "**Students the metadata lists with no folder (1)**: `Ed Po (6)` (`submission_6`)" in text
    assert "**Identical code (1 group)**" in text
    assert "- 2 entries: `submission_3` `Cy Wu (3)`, `submission_4` `Di Ko (4)`" in text
    assert "- `overrides.csv line 3: 'x' names no student`" in text
    assert needs_a_human([graded("ok.py", 100.0)], students([graded("ok.py", 100.0)])[0])[0].startswith("Nothing")


def test_the_trail_says_what_changed_per_student_and_where_gradescope_differs():
    before_rows = [
        graded("submission_1", 15.0, [person("Ada Lovelace", "01815")], mistakes=["sign_flipped"]),
        graded("submission_2", 100.0, [person("Bo Li", "2")]),
        graded("submission_3", 30.0, [person("Cy Wu", "3")], mistakes=["sum_reduction"]),
    ]
    after_rows = [
        graded("submission_1", 100.0, [person("Ada Lovelace", "01815")], recorded=85.0),
        graded("submission_2", 100.0, [person("Bo Li", "2")], recorded=100.0),
        graded("submission_9", 30.0, [person("Cy Wu", "3")], mistakes=["sum_reduction", "no_log"]),
    ]
    before = {"grader": "0.1.0", "rubric": "aaa", "students": snapshot(students(before_rows)[0])}
    lines = students(after_rows, None, [Override("2", -10, "copied", 2)])[0]
    after = {"grader": "0.1.0", "rubric": "bbb", "students": snapshot(lines)}
    assert compare(before, after) == [
        "rubric and reference aaa → bbb",
        "Ada Lovelace, 01815, submission_1: 15 → 100, sign_flipped fixed",
        "Bo Li, 2, submission_2: final 100 → 90",
        "Cy Wu, 3, submission_9: now no_log, was submission_3",
    ]
    assert differences(after_rows) == ["Ada Lovelace (01815), submission_1: Gradescope 85, here 100"]
