"""Gradescope's image runs Python 3.10: nothing in the shipped code may need a newer one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VERMIN = [
    str(Path(sys.executable).with_name("vermin")),
    "--target=3.10-",
    "--violations",
    "--eval-annotations",
    "--backport",
    "dataclasses",
    "--backport",
    "typing",
    "--no-tips",
]


def vermin(*paths: Path) -> subprocess.CompletedProcess:
    return subprocess.run(VERMIN + [str(p) for p in paths], capture_output=True, text=True, timeout=120)


def test_grader_reference_and_handout_need_nothing_newer_than_python_3_10():
    finished = vermin(ROOT / "grader", ROOT / "reference", ROOT / "assignment")
    assert finished.returncode == 0, finished.stdout + finished.stderr


def test_the_check_catches_a_3_11_feature(tmp_path):
    (tmp_path / "new.py").write_text("import tomllib\n\ntry:\n    pass\nexcept* ValueError:\n    pass\n")
    finished = vermin(tmp_path / "new.py")
    assert finished.returncode != 0
    assert "tomllib" in finished.stdout
