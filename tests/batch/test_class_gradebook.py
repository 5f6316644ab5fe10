"""A TA's round trip on a small Gradescope export, through the CLI: students named in every
output, the needs-a-human list, grades.xlsx and canvas.csv with a late policy, an override that
survives reruns, and the regrade trail after `--only` by email. Four entries, three runs."""

from __future__ import annotations

import csv
import io
import json
import shutil

import pytest
from conftest import SUBMISSIONS
from test_batch import METADATA, SIGN_FLIPPED, batch, csv_rows

UNLISTED = """\
submission_2419999:
  :submitters:
  - :name: Barbara Liskov
    :sid: '1939'
    :email: barbara@example.edu
  :created_at: 2025-02-04 10:00:00.000000000 -08:00
  :score: 0.0
"""


@pytest.mark.slow
def test_a_ta_round_trip_on_an_export(tmp_path):
    from openpyxl import load_workbook

    export = tmp_path / "assignment_412345_export"
    export.mkdir()
    (export / "submission_metadata.yml").write_text(METADATA + UNLISTED)  # Barbara has no folder
    for folder, text in (
        ("submission_2417731", (SUBMISSIONS / "correct" / "log_softmax_gather.py").read_text()),
        ("submission_2417802", SIGN_FLIPPED),
        ("submission_2417900", "def pseudo_loss(logits, actions, q_values):\n    return (\n"),
    ):
        (export / folder).mkdir()
        (export / folder / "pseudo_loss.py").write_text(text)
    out = tmp_path / "out"

    first = batch(export, out, "--late-policy", "10%/day")
    assert first.returncode == 0, first.stderr[-3000:]
    assert "submission_2417731 (Ada Lovelace, 01815) 100/100" in first.stderr  # the progress lines
    assert "Alan Turing (01234); Gráce Hopp…" in first.stdout  # the summary table, cut to its column
    assert (
        "Needs a human (report.html lists them first): 1 not graded, 1 listed in the metadata with no folder, 1 late"
        in first.stdout
    )
    assert "Ada Lovelace (01815), submission_2417731: Gradescope 85, here 100" in first.stdout
    report = (out / "report.md").read_text()
    human = report.split("## Students")[0]
    assert "**Students the metadata lists with no folder (1)**: `Barbara Liskov (1939)`" in human
    assert "| `Edsger Dijkstra, 1930` | [`submission_2417900`](feedback/submission_2417900.md) | 1.5 |" in human
    assert "| `Gráce Hopper` | `1906` | `grace@example.edu` | [`submission_2417802`]" in report
    assert "**Against Gradescope's recorded scores**: 3 of 4 entries the same, 1 different." in report
    sheet = load_workbook(out / "grades.xlsx").active
    table = [dict(zip([c.value for c in sheet[1]], [c.value for c in row])) for row in sheet.iter_rows(min_row=2)]
    assert [(row["name"], row["sid"], row["total"]) for row in table][:3] == [
        ("Ada Lovelace", "01815", 100),
        ("Alan Turing", "01234", 15),
        ("Gráce Hopper", "1906", 15),
    ]
    canvas = list(csv.reader(io.StringIO((out / "canvas.csv").read_text(encoding="utf-8"))))
    assert canvas[1] == ["Points Possible", "", "", "", "", "100"]
    assert ["Ada Lovelace", "", "01815", "ada@example.edu", "", "100"] in canvas
    assert (out / "overrides.csv").read_text() == "student,points,comment\n"

    (out / "overrides.csv").write_text("student,points,comment\n01234,+5,regrade request: test 4\n")
    second = batch(export, out)  # nothing to grade: the class files are rebuilt with the override
    assert second.returncode == 0 and "nothing to grade" in second.stderr, second.stderr[-3000:]
    assert "Alan Turing, 01234, submission_2417802: final 15 → 20" in second.stdout
    rows = {row["name"]: row for row in csv_rows(out)}
    assert (rows["Alan Turing"]["final"], rows["Gráce Hopper"]["final"], rows["Alan Turing"]["total"]) == (
        "20",
        "15",
        "15",
    )
    assert rows["Alan Turing"]["comment"] == "regrade request: test 4 (+5)"
    feedback = (out / "feedback" / "submission_2417802.md").read_text()
    assert "Alan Turing: Adjusted: regrade request: test 4 (+5). **Grade: 20**" in feedback

    shutil.copy(
        SUBMISSIONS / "mistakes" / "sign_flipped_cross_entropy.py", export / "submission_2417731" / "pseudo_loss.py"
    )
    third = batch(export, out, "--only", "ADA@example.edu")
    assert third.returncode == 0 and "regrading only submission_2417731" in third.stderr, third.stderr[-3000:]
    assert "Ada Lovelace, 01815, submission_2417731: 100 → 15, now sign_flipped" in third.stdout
    assert json.loads((out / "previous" / "submission_2417731.json").read_text())["score"] == 100
    assert (
        "regrade request: test 4 (+5)" in {row["name"]: row for row in csv_rows(out)}["Alan Turing"]["comment"]
    )  # kept
    history = (out / "history.jsonl").read_text().splitlines()
    assert len(history) == 3 and json.loads(history[-1])["students"]["01815"]["score"] == 15
    assert "Ada Lovelace, 01815, submission_2417731: 100 → 15" in (out / "changes.md").read_text()
