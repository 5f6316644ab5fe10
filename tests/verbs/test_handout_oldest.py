"""Each exercise's handout, unzipped into an empty folder, self-checks a correct file and a mistake
with the oldest torch and numpy its README claims (.ci/oldest-requirements.txt), in a venv holding
nothing else: `make oldest` builds that venv and runs this with OLDEST_PYTHON set to its python."""

from __future__ import annotations

import importlib
import json
import os
import re
import subprocess
import zipfile
from pathlib import Path
from typing import Dict

import pytest
from conftest import CORPORA

from grader import package
from grader.course import registry

REQUIREMENTS = Path(__file__).resolve().parents[2] / ".ci" / "oldest-requirements.txt"
PINNED: Dict[str, str] = dict(re.findall(r"^(\w+)==(\S+)$", REQUIREMENTS.read_text(), re.M))
PYTHON = os.environ.get("OLDEST_PYTHON", "")
EXERCISES = [name for name in registry.names() if (CORPORA / name / "corpus.py").is_file()]
oldest = pytest.mark.skipif(not PYTHON, reason="OLDEST_PYTHON is not set: `make oldest` builds that venv and sets it")


@pytest.mark.parametrize("exercise", EXERCISES)
def test_every_readme_names_the_oldest_versions_tested(exercise):
    readme = " ".join((registry.folders(exercise)[0] / "README.md").read_text().split())  # wrapped lines joined
    assert {"torch", "numpy"} <= set(PINNED)
    for name, version in PINNED.items():
        assert f"{name} {version}" in readme, (exercise, name, version)


@oldest
def test_the_interpreter_has_the_pinned_versions():
    printed = run(Path.cwd(), "-c", "import numpy, torch; print(torch.__version__, numpy.__version__)").stdout
    torch_version, numpy_version = printed.split()
    assert torch_version.split("+")[0] == PINNED["torch"] and numpy_version == PINNED["numpy"], printed


@oldest
@pytest.mark.parametrize("exercise", EXERCISES)
def test_the_handout_self_checks_with_the_oldest_versions(exercise, tmp_path):
    out = package.handout(tmp_path / "dist" / "handout.zip", exercise)
    folder = tmp_path / "student"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(folder)
    corpus = importlib.import_module(f"submissions.{exercise}.corpus")
    correct = run(folder, "selfcheck.py", str(CORPORA / exercise / corpus.CORRECT[0]), "--json")
    assert correct.returncode == 0, correct.stdout + correct.stderr
    document = json.loads(correct.stdout)
    assert document["score"] == sum(test["max_score"] for test in document["tests"]) > 0
    mistake, named = sorted(corpus.MISTAKES.items())[0]
    wrong = run(folder, "selfcheck.py", str(CORPORA / exercise / mistake), "--json")
    assert wrong.returncode == 1 and set(json.loads(wrong.stdout)["extra_data"]["mistakes"]) == named, wrong.stderr
    if "--explain" in (folder / "README.md").read_text():  # the walk-through the README offers
        explained = run(folder, "selfcheck.py", str(CORPORA / exercise / mistake), "--explain")
        assert explained.returncode == 0 and "The self-check finds: " in explained.stdout, explained.stderr


def run(folder: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [PYTHON, *args], cwd=folder, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"}
    )
