"""The handout README's examples are what the handout prints, and the README says only true things
about what the handout holds."""

from __future__ import annotations

import zipfile

import pytest
from readme_examples import FILE, OUTPUT, REPO, regenerate, unpacked_handout

EXERCISE = "discrete"
README = REPO / "assignment" / EXERCISE / "README.md"


@pytest.fixture(scope="module")
def handout(tmp_path_factory):
    return unpacked_handout(tmp_path_factory.mktemp("readme"), EXERCISE)


def test_example_outputs_are_a_real_run_of_the_handout(handout):
    readme = README.read_text()
    assert len(FILE.findall(readme)) >= 1 and len(OUTPUT.findall(readme)) >= 2
    assert regenerate(readme, handout) == readme, "run `python tests/readme_examples.py` and read the new examples"


def test_the_mistake_example_shows_the_evidence_under_the_test_that_prints_it(handout):
    readme = README.read_text()
    block = readme.split("<!-- output of: python selfcheck.py my_solution.py -->")[1].split("```")[1]
    assert "`sum_over_actions`" not in block and "What is wrong: Probabilities of all actions" in block
    said_hidden = [line for line in block.splitlines() if "hidden" in line]  # the self-check runs none
    assert said_hidden == [line for line in said_hidden if line.startswith("The real grader also checks hidden")]
    explained = readme.split("<!-- output of: python selfcheck.py --explain my_solution.py -->")[1].split("```")[1]
    assert "Σ_a p(a)·q_i = q_i" in explained and "mean(q)/A" in explained and "zero everywhere" in explained


def test_every_file_the_readme_names_is_in_the_handout(handout):
    readme = README.read_text()
    with zipfile.ZipFile(handout.parent / "handout.zip") as archive:
        shipped = {name.split("/")[-1] for name in archive.namelist()}
    words = {word.strip("`,.():") for word in readme.split()}
    named = {w for w in words if w.endswith((".npz", ".json", ".ipynb")) and not w.startswith(".") and "/" not in w}
    assert named <= shipped | {"my_solution.py"}, named - shipped
    assert "public_cases.json" not in readme
