"""The course's exercises: the registry (assignment/exercises.json) and the two folders of each.

An exercise NAME is assignment/NAME/ (public) and reference/NAME/ (instructor only). Nothing
here imports torch or an exercise's code, so a command can name and check an exercise before
its sandbox's zygote is forked (rubric.py imports the reference, after).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Tuple

from grader.errors import GraderError

ROOT = Path(__file__).resolve().parents[2]
COURSE = ROOT / "assignment" / "exercises.json"  # the default exercise, and a line on each


def default() -> str:
    """The exercise a command grades when it names none."""
    return str(json.loads(COURSE.read_text())["default"])


def names() -> List[str]:
    """The exercises this tree holds: folders under both assignment/ and reference/."""
    found = (ROOT / "assignment").glob("*/exercise.py")
    return sorted(p.parent.name for p in found if (ROOT / "reference" / p.parent.name / "rubric.json").is_file())


def resolve(name: Optional[str]) -> str:
    """The exercise to grade: the one named, else the default, else the only one this tree holds
    (an autograder zip carries one exercise); GraderError naming the known ones if absent."""
    held = names()
    if name is None:
        name = held[0] if len(held) == 1 else default()
    folders(name)
    return name


def folders(name: str) -> Tuple[Path, Path]:
    """assignment/NAME and reference/NAME; GraderError naming the known exercises if absent."""
    if name not in names():
        raise GraderError(f"no exercise named {name!r}; this grader has: {', '.join(names())}")
    return ROOT / "assignment" / name, ROOT / "reference" / name
