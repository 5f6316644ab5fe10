"""The discrete handout's README as a front page for someone studying alone: the questions in the
order they come up, each answered where it is asked, the setup before the checks, points last."""

from __future__ import annotations

import re

from grader.course import registry

README = (registry.folders("discrete")[0] / "README.md").read_text()


def test_the_questions_come_first_in_the_order_a_student_asks_them():
    section = README.split("## Studying alone", 1)[1].split("\n## ", 1)[0]
    questions = re.findall(r"^\d\. \*\*(.+?)\*\*", section, re.M | re.S)
    assert [q.split()[0:3] for q in questions] == [
        ["Where", "do", "the"],
        ["If", "the", "labels"],
        ["Why", "a", "loss"],
        ["How", "does", "the"],
        ["Why", "does", "`mean(softmax(logits)"],
    ]
    assert "not the correct answer" in section and "one-hot" in section  # what "label" and the slide mean
    assert README.index("## Studying alone") < README.index("## What your function receives")


def test_setup_comes_before_the_checks_and_points_and_submitting_come_last():
    headings = re.findall(r"^## (.+)$", README, re.M)
    assert (
        headings.index("What to install") < headings.index("Check your work") < headings.index("Watch your loss learn")
    )
    assert headings[-2:] == ["What the grader checks", "Submitting"]
    install = README.split("## What to install", 1)[1].split("\n## ", 1)[0]
    assert "pip install gymnasium==1.4.0 matplotlib==3.10.7" in install and "Colab" in install
