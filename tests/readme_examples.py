"""The handout README's example outputs, made by running them in a freshly built handout.

    python tests/readme_examples.py [EXERCISE]    # rewrites assignment/EXERCISE/README.md's examples

In the README, a code block after `<!-- file: NAME ... -->` is written to NAME in the
unpacked handout, and a block after `<!-- output of: COMMAND -->` is replaced by
what COMMAND prints there (`python` is this interpreter; the command line is
shown first, after `$ `). tests/verbs/test_readme_examples.py checks the README is what
this makes, so an example can never drift from what a student sees.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
FILE = re.compile(r"<!-- file: (?P<name>\S+)[^>]*-->\n```\w*\n(?P<body>.*?)```\n", re.S)
OUTPUT = re.compile(r"(?P<head><!-- output of: (?P<command>[^>]*?) -->\n```\n).*?(?P<tail>```\n)", re.S)


def unpacked_handout(folder: Path, exercise: str) -> Path:
    sys.path.insert(0, str(REPO))
    from grader import package

    out = package.handout(folder / "handout.zip", exercise)
    student = folder / "student"
    with zipfile.ZipFile(out) as archive:
        archive.extractall(student)
    return student


def run(command: str, folder: Path) -> str:
    """What a student sees from the command in the handout folder (stdout and stderr)."""
    words = shlex.split(command)
    argv = [sys.executable if words[0] == "python" else words[0], *words[1:]]
    finished = subprocess.run(
        argv, cwd=folder, capture_output=True, text=True, timeout=300, env={"PATH": "/usr/bin:/bin"}
    )
    return f"$ {command}\n{finished.stdout}{finished.stderr}".rstrip() + "\n"


def regenerate(readme: str, folder: Path) -> str:
    """The README with every example output made again by running it in the unpacked handout."""
    for found in FILE.finditer(readme):
        (folder / found["name"]).write_text(found["body"])
    return OUTPUT.sub(lambda m: m["head"] + run(m["command"], folder) + m["tail"], readme)


def main(exercise: str = "discrete") -> int:
    readme = REPO / "assignment" / exercise / "README.md"
    with tempfile.TemporaryDirectory() as scratch:
        readme.write_text(regenerate(readme.read_text(), unpacked_handout(Path(scratch), exercise)))
    print(f"rewrote the examples of {readme.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(*sys.argv[1:]))
