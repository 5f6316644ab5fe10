"""grader/autograder/setup.sh on an image without python3-venv: what it asks apt-get for.

Gradescope's bare image has no venv module; setup.sh installs it with apt-get, and
without --no-install-recommends python3-pip alone pulls ~400 MB of compilers, headers
and fonts. apt-get and python3 are stand-ins here that record how they were called.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

SETUP = Path(__file__).resolve().parents[2] / "grader" / "autograder" / "setup.sh"


def test_setup_installs_apt_packages_without_recommends(tmp_path):
    source = tmp_path / "source"
    source.mkdir()
    shutil.copy(SETUP, source / "setup.sh")
    fake = tmp_path / "bin"
    fake.mkdir()
    calls = tmp_path / "apt-get.calls"
    (fake / "apt-get").write_text(f'#!/bin/sh\necho "$*" >> {calls}\ncase "$1" in update) exit 0;; esac\nexit 100\n')
    (fake / "python3").write_text("#!/bin/sh\nexit 1\n")  # no venv, no ensurepip
    for tool in ("apt-get", "python3"):
        (fake / tool).chmod(0o755)
    finished = subprocess.run(
        ["bash", str(source / "setup.sh")],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "PATH": f"{fake}:{os.environ['PATH']}", "AUTOGRADER_ROOT": str(tmp_path / "root")},
    )
    assert finished.returncode != 0 and "python3-venv is missing and could not be installed" in finished.stderr
    update, install = calls.read_text().splitlines()
    assert update.split()[0] == "update"
    words = install.split()
    assert words[0] == "install" and {"-y", "--no-install-recommends", "python3-venv", "python3-pip"} <= set(words)
