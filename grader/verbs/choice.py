"""Which file the self-check checks, by the grader's rule, and a note saying which and why.

The grader (grader.submission.locate, then the loader's stub stage) takes, in a folder: the file
named like the function (`.py`, then `.ipynb`), then `submission.py` and `submission.ipynb`, then
the other files that define the function in name order; but never the handout's stub unchanged
while a later one has work in it.
The self-check applies the same order to the folder it runs in (without the sandbox's reader,
which the handout does not ship: notebooks are read as JSON here), so that it checks what the
grader would grade, and says so when there was a choice.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import List, Optional, Tuple

from grader.submission.stub import binding, has_work, is_stub
from grader.text import Markdown, code
from grader.verbs.inprocess import read

_NAMED = ("{function}.py", "{function}.ipynb", "submission.py", "submission.ipynb")  # the grader's first choices


def choose(
    given: Optional[str], function: str, stub: str, stub_file: str, folder: Path = Path()
) -> Tuple[Path, List[Markdown]]:
    """The file to check and the notes on the choice: the one given, else the grader's pick in folder
    (stub_file there when nothing defines the function, for the error to name)."""
    if given:
        path = Path(given)
        return path, [_stub_note(path, function)] if path.is_file() and is_stub(
            _code(path, function), function, stub
        ) else []
    files = sorted(p for p in folder.iterdir() if p.suffix in (".py", ".ipynb") and p.is_file())
    named = [p for name in _NAMED for p in files if p.name == name.format(function=function)]
    order = named + [p for p in files if p not in named and binding(_code(p, function), function) is not None]
    if not order:
        return folder / stub_file, []
    chosen = order[0]
    with_work = [p for p in order if has_work(_code(p, function), function, stub)]
    if is_stub(_code(chosen, function), function, stub):
        if not with_work:
            return chosen, [_stub_note(chosen, function)]
        if with_work[0].name == stub_file and chosen.name == Path(stub_file).stem + ".ipynb":
            return with_work[0], []  # work in the handout's file, its notebook untouched: nothing to explain
        mine, was = code(with_work[0].name), code(chosen.name)
        because = f"{was} is the handout's stub, unchanged, and {mine} defines `{function}`"
        return with_work[0], [Markdown(f"Checked {mine}, not {was}: {because}, as the grader would.")]
    others = [p for p in with_work if p != chosen]
    if not others:
        return chosen, []
    why = "its name is the one the grader looks for first" if chosen in named else "it comes first by name"
    also = ", ".join(code(p.name) for p in others)
    return chosen, [
        Markdown(f"Checked {code(chosen.name)}, as the grader would ({why}); {also} also define `{function}`.")
    ]


def _stub_note(path: Path, function: str) -> Markdown:
    return Markdown(
        f"{code(path.name)} is the handout's stub, unchanged: its `{function}` is the one you were given. Write "
        f"your implementation in it, or check the file you wrote it in (`python selfcheck.py my_solution.py`); "
        "in the notebook, its check cell runs this self-check."
    )


def _code(path: Path, function: str) -> str:
    """A .py file's text; of a notebook, the code cell that binds the function last, without its
    IPython lines (what the grader keeps of it, as far as the choice needs)."""
    if path.suffix != ".ipynb":
        return read(path)
    try:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        sources = [
            "".join(c["source"]) if isinstance(c["source"], list) else c["source"]
            for c in cells
            if c.get("cell_type") == "code"
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return ""
    plain = ["\n".join(line for line in s.splitlines() if not line.lstrip().startswith(("%", "!"))) for s in sources]
    return next((s for s in reversed(plain) if binding(s, function) is not None), "")
