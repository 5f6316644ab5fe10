"""A TA works from students: --only by name, SID or email; identical code found whatever its
comments; the files an ungraded upload holds; the feedback file's late penalty and adjustments.
Fast: nothing here grades a submission."""

from __future__ import annotations

from pathlib import Path

from conftest import SUBMISSIONS, batch_row

from grader.batch.entries import Entry

ADA = {"name": "Ada Lovelace", "email": "ada@example.edu", "sid": "01815", "due": ""}
WEI = [{"name": "Wei  Zhang", "email": f"w{n}@x.edu", "sid": f"300{n}", "due": ""} for n in (1, 2)]


def test_only_takes_a_folder_a_name_an_sid_or_an_email_and_refuses_an_ambiguous_name():
    from grader.batch.plan import choose

    entries = [
        Entry("submission_1", Path("submission_1"), (ADA,)),
        Entry("submission_2", Path("submission_2"), (WEI[0],)),
        Entry("submission_3", Path("submission_3"), (WEI[1],)),
    ]
    chosen, unknown = choose(entries, ["ada lovelace", "01815", "W2@X.EDU", "export/submission_2"])
    assert (chosen, unknown) == (["submission_1", "submission_3", "submission_2"], [])
    chosen, unknown = choose(entries, ["wei zhang", "Grace"])
    assert chosen == []
    assert unknown == [
        "'wei zhang' names 2 entries: submission_2 (Wei  Zhang, 3001), submission_3 (Wei  Zhang, 3002)",
        "no entry is called 'Grace'",
    ]


def test_identical_code_is_found_whatever_its_comments_and_blank_space(tmp_path):
    from grader.batch.contents import code_print

    source = (SUBMISSIONS / "correct" / "log_softmax_gather.py").read_text()
    (tmp_path / "a.py").write_text(source)
    (tmp_path / "b.py").write_text("# my own work, honest\n\n" + source.replace("\n", "  # really\n\n"))
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "pseudo_loss.py").write_text(source)
    (tmp_path / "d.py").write_text(source.replace("mean()", "sum()"))
    prints = {name: code_print(tmp_path / name, "pseudo_loss") for name in ("a.py", "b.py", "c", "d.py")}
    assert prints["a.py"] == prints["b.py"] == prints["c"] and prints["d.py"] != prints["a.py"]
    (tmp_path / "e.py").write_text("def pseudo_loss(:\n")
    assert code_print(tmp_path / "e.py", "pseudo_loss") == ""  # not loadable: no print, no group


def test_the_files_of_an_ungraded_upload_are_listed_within_a_bound(tmp_path):
    from grader.batch.contents import FILES_LISTED, files_found

    upload = tmp_path / "submission_1"
    (upload / "src" / "deep").mkdir(parents=True)
    (upload / "notes.txt").write_text("")
    (upload / "src" / "model.pdf").write_text("")
    (upload / "src" / "deep" / "x.py").write_text("")
    (upload / "link").symlink_to("/etc")
    assert files_found(upload) == ["link", "notes.txt", "src/model.pdf", "src/deep/x.py"]  # the link not followed
    for number in range(3 * FILES_LISTED):
        (upload / f"f{number:03}").write_text("")
    assert len(files_found(upload)) == FILES_LISTED
    assert files_found(tmp_path / "missing") == [] and files_found(upload / "notes.txt") == ["notes.txt"]


def test_the_feedback_file_gives_the_late_penalty_the_adjustments_and_the_grade():
    from grader.outputs.feedback import feedback_markdown
    from grader.outputs.students import Override, parse_policy, students

    due = "2025-02-04T23:59:00-08:00"
    people = [dict(ADA, due=due), {"name": "Li <b>Wei</b>", "email": "", "sid": "2", "due": due}]
    row = batch_row(entry="submission_1", status="graded", score=90.0, people=people)
    row["submitted"] = "2025-02-05T02:59:00-08:00"
    policy = parse_policy("10%/day")
    lines = students([row], policy, [Override("01815", 5, "regrade: *unfair* test", 2)])[0]
    document = {"output": "**Score: 90 / 100**", "tests": []}
    text = feedback_markdown("submission_1", people, document, lines, policy)
    assert "## Late penalty and adjustments by the course staff" in text
    assert (
        "- Ada Lovelace: submitted 3 hours late: −10 points (10% of the points per started day late, at most "
        "100%). Adjusted: regrade: \\*unfair\\* test (+5). **Grade: 85** (the autograder's 90)." in text
    )
    assert "- Li \\<b\\>Wei\\</b\\>: submitted 3 hours late: −10 points" in text and "**Grade: 80**" in text
    assert "Late penalty" not in feedback_markdown("x", people, document, students([row])[0])
