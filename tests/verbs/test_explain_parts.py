"""`explain` of an exercise of several array parts (returns): a walk-through per part, each beside
the student's own function of that part, a wrong turn named with its catalog's text."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from conftest import CORPORA
from test_explain import explain_torch_only

from grader.course import rubric

REPO = Path(__file__).resolve().parents[2]
RETURNS = CORPORA / "returns"


def _titles() -> dict:
    return {
        m.id: m.title
        for function in ("discounted_return", "gae_advantages")
        for m in rubric.solution("returns", function).catalog
    }


def test_the_cli_walks_every_part_and_names_each_parts_own_wrong_turn():
    finished = subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "explain",
            "--exercise",
            "returns",
            str(RETURNS / "mistakes/combo_undiscounted_return_and_bootstrap.py"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    found = re.split(r"^(\w+)\n=+\n", finished.stdout, flags=re.M)  # ['', name, text, name, text, ...]
    assert found[1::2] == list(rubric.exercise("returns").functions), found[1::2]
    ret, rtg, gae = found[2::2]
    titles = _titles()
    assert "One trajectory, step by step: T = 4 steps, γ = 0.9." in ret
    assert "= 8.146;" in ret and "yours:  [ 10.0000  10.0000  10.0000  10.0000 ]" in ret  # 1 + 2 + 3 + 4, undiscounted
    assert f"Where yours parts from the steps: step 2. {titles['return_not_discounted']}." in ret
    assert rtg.rstrip().endswith("Yours matches at every step.")
    assert "B = 5 steps of two trajectories" in gae and "λ = 0.8" in gae
    assert f"step 2. {titles['bootstraps_across_trajectories']}." in gae
    assert "advantages: [  1.7024   1.4200   1.0000   1.4920   0.6000 ]" in gae  # the handout README's
    assert "The first entry that differs is [0]: 1.702 correct, 1.842 yours." in gae  # + 0.9 × V_3 = 0.27 at i = 2


def test_selfcheck_explain_walks_the_parts_a_file_defines_and_says_which_it_does_not(tmp_path):
    from readme_examples import unpacked_handout

    folder = unpacked_handout(tmp_path, "returns")
    (folder / "mine.py").write_text((RETURNS / "careless/missing_gae.py").read_text())
    finished = explain_torch_only(folder, "mine.py")
    assert finished.returncode == 0, finished.stderr
    out = finished.stdout
    assert out.count("Yours (`mine.py`) on the same batch:") == 2
    assert "mine.py defines no function named gae_advantages." in out
    assert re.search(r"The self-check finds that it fails test \d+ \(\w", out), out  # its number, then its title
    cells = json.loads((folder / "returns.ipynb").read_text())["cells"]
    assert any("explain_functions({'discounted_return': discounted_return" in "".join(c["source"]) for c in cells)
