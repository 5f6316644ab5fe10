"""Build the zips a course hands out: `python -m grader.package autograder|handout OUT.zip`.

autograder.zip is what Gradescope takes: setup.sh and run_autograder at its
root, the grader, the reference with the hidden cases, the public cases and the
pinned requirements; no tests, venv or caches.
"""
from __future__ import annotations

import sys
import zipfile
from pathlib import Path
from typing import Iterable, Tuple

from grader.rubric import ROOT

_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}


def _files(folder: Path, pattern: str = "*") -> Iterable[Path]:
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and not _SKIP_PARTS & set(path.parts) and path.suffix not in (".pyc", ".pyo"):
            yield path


def _write(out: Path, members: Iterable[Tuple[Path, str]]) -> Path:
    """Write (source file, name in zip) pairs; shell scripts keep their executable bit."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, name in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # same bytes on every build
            mode = 0o755 if source.stat().st_mode & 0o100 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    return out


def autograder(out: Path) -> Path:
    scripts = ROOT / "grader" / "autograder"
    members = [(scripts / "setup.sh", "setup.sh"), (scripts / "run_autograder", "run_autograder"),
               (ROOT / "requirements.txt", "requirements.txt"),
               (ROOT / "assignment" / "public_cases.json", "assignment/public_cases.json")]
    members += [(p, str(p.relative_to(ROOT))) for p in _files(ROOT / "grader") if scripts not in p.parents]
    members += [(p, str(p.relative_to(ROOT))) for p in _files(ROOT / "reference")]
    return _write(out, members)


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    builders = {"autograder": autograder}
    if len(argv) != 2 or argv[0] not in builders:
        print(f"usage: python -m grader.package {{{'|'.join(builders)}}} OUT.zip", file=sys.stderr)
        return 2
    out = builders[argv[0]](Path(argv[1]))
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
