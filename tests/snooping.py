"""What tests/submissions/discrete/hostile/grader_snoop.py looks for, baked into a copy, and what it found."""

from __future__ import annotations

import json
import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def snoop_needles(folder: Path, classmate: str, output: str = "") -> dict:
    """What grader_snoop.py looks for, baked in: the class, a classmate, the output folder, the rubric
    and its hidden cases; and a control it must find (its own source, in linecache), so the search
    is not blind."""
    rubric = REPO / "reference" / "discrete" / "rubric.json"
    hidden = [case for cases in json.loads(rubric.read_text())["hidden"].values() for case in cases]
    needles = {
        "class folder": str(folder),
        "class name": folder.name,
        "classmate": classmate,
        "output folder": output,
        "rubric": str(rubric),
        "control": "for probe in (_search_objects",
    }
    return {
        "needles": {label: text.encode().hex() for label, text in needles.items()},
        "hidden": json.dumps(hidden).encode().hex(),
    }


def snoop_findings(text: str) -> set:
    return set(re.findall(r"SNOOP FOUND (.+?) in ", text))
