"""Prove a change kept behaviour: grade the whole corpus, and compare two such runs.

    python tests/same_results.py snapshot OUT.json [EXERCISE]   # grade tests/submissions/EXERCISE as one class
    python tests/same_results.py compare A.json B.json

Every submission of the exercise's corpus, tests/submissions/EXERCISE (for the
discrete one: correct, mistakes, broken, hostile, notebooks), is copied into one
class folder and graded by `python -m grader batch --exercise EXERCISE`, the path a
TA takes. The snapshot keeps each entry's results.json without what
measures time (execution_time, extra_data.timing, the batch's own seconds and
fingerprint), and `compare` also ignores the sandbox's random temp dir name and
the byte count of what a submission printed. What is left to differ between two
runs of unchanged behaviour is what hostile submissions print on purpose (pids,
the grader's paths, output that races the clock). A refactoring is run once
before and once after; `compare` prints every entry that differs.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "submissions"
VOLATILE = ("execution_time",)
VOLATILE_EXTRA = ("timing", "batch")
EXERCISE = "discrete"  # the default


def snapshot(out: Path, exercise: str = EXERCISE) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        klass, results = Path(scratch) / "class", Path(scratch) / "out"
        klass.mkdir()
        root = CORPUS / exercise  # each exercise's corpus: tests/submissions/NAME
        for path in sorted(root.rglob("*")):
            inside = path.relative_to(root).parts
            if (
                path.is_file()
                and path.suffix in (".py", ".ipynb", ".txt")
                and path.name not in ("corpus.py", "make.py")
            ):
                shutil.copy(path, klass / "__".join(inside))
        subprocess.run(
            [
                sys.executable,
                "-m",
                "grader",
                "batch",
                str(klass),
                "--out",
                str(results),
                "--jobs",
                "2",
                "--exercise",
                exercise,
            ],
            cwd=REPO,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        documents = {
            path.name: _stable(json.loads(path.read_text())) for path in sorted((results / "results").glob("*.json"))
        }
    out.write_text(json.dumps(documents, indent=1, sort_keys=True, ensure_ascii=False))
    print(f"{len(documents)} results in {out}")


def _stable(document: dict) -> dict:
    for key in VOLATILE:
        document.pop(key, None)
    for key in VOLATILE_EXTRA:
        document.get("extra_data", {}).pop(key, None)
    return document


def _unstable_text(document: dict) -> dict:
    """What a submission prints may name its random temp dir or a pid; not the grader's doing."""
    text = json.dumps(document, sort_keys=True)
    text = re.sub(r"grader-child-\w{8}", "grader-child-XXXXXXXX", text)
    return json.loads(re.sub(r"Your code printed \(\d+ bytes", "Your code printed (N bytes", text))


def compare(a: Path, b: Path) -> int:
    before = {k: _unstable_text(v) for k, v in json.loads(a.read_text()).items()}
    after = {k: _unstable_text(v) for k, v in json.loads(b.read_text()).items()}
    differ = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    for name in differ:
        print(f"differs: {name}")
    print(f"{len(before)} and {len(after)} entries; {len(differ)} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    verb, *paths = sys.argv[1:]
    if verb == "snapshot":
        snapshot(Path(paths[0]), *paths[1:2])
    else:
        sys.exit(compare(Path(paths[0]), Path(paths[1])))
