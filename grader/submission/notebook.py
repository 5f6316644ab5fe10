"""Extract a submission from a Jupyter or Colab notebook, statically.

Nothing in the notebook runs here: the file is read as bytes (grader.submission.files),
parsed by nbformat, and each code cell is parsed by ``ast``. What the sandbox later runs
is only what a module needs in order to *define* the exercise's function:

- top-level imports (of modules the grader has), function and class
  definitions, and simple constant assignments: literals, aliases such as
  ``F = torch.nn.functional``, arithmetic on those, lambdas, a loss module or
  distribution built from those (``criterion = nn.CrossEntropyLoss()``: a
  known-safe constructor, grader.submission.statements); and any
  assignment to the function's name, whatever it calls
  (``pseudo_loss = torch.compile(_pseudo_loss)`` defines it);
- everything else (calls, loops, ``if``/``try``/``with`` blocks, assignments
  from calls, IPython magics, ``!shell`` lines, ``obj?`` help lines) is
  dropped and listed in the notes, so the student knows what was not run.

Cells are numbered from 1, counting every cell from the top of the notebook,
text cells included: that is what a student scrolling the notebook counts, and
neither Jupyter nor Colab shows another number that stays put (execution
counts change on every run).

This module checks the text is a notebook and hands out its code cells; the
next stage, grader.submission.keep, blanks IPython lines (grader.submission.ipython), judges each
statement (grader.submission.statements) and records what it drops for the notes
(grader.submission.dropped). Neither stage imports the other: grader.submission.extract
passes the cells from one to the next.
"""

from __future__ import annotations

import ast
import json
import warnings
from typing import Iterator, Optional, Tuple

from grader.errors import LoadError
from grader.submission.dropped import CELL_NUMBERS
from grader.submission.names import PARSE_ERRORS
from grader.text import code as md_code
from grader.text import escaped


def code_cells(text: str, name: str) -> Iterator[Tuple[int, str]]:
    """A notebook's code cells, each numbered from the top (text cells counted) with its source.
    name: the notebook's file name, for messages. The notebook is parsed at once, its cells' sources
    taken as asked for: a damaged cell is reported only after any error in the cells above it."""
    cells, problem = _cells(text, name)
    return (
        (number, _source(cell, number, name, problem))
        for number, cell in enumerate(cells, start=1)
        if isinstance(cell, dict) and cell.get("cell_type") == "code"
    )


def prepare() -> None:
    """Import nbformat and build its validator: in the grader, so that the readers it forks
    (submission.bounded) have both, which cost 0.3 s and 40 ms."""
    import nbformat

    nbformat.validate(nbformat.v4.new_notebook())


def _cells(text: str, name: str) -> Tuple[list, str]:
    """The notebook's cells (as version 4), and what strict validation found wrong ("" if nothing)."""
    import nbformat  # only when a notebook shows up

    # nbformat.reads(text, as_version=4) in its steps: it would log every
    # validation failure as an ERROR, and here those are not errors (below).
    try:
        document = nbformat.reader.parse_json(text)
    except nbformat.reader.NotJSONError as exc:
        raise LoadError(_json_problem(text, name, exc.__cause__)) from None
    except RecursionError:
        raise LoadError(
            f"{md_code(name)} is not a notebook the grader can read: its JSON is nested too deeply"
        ) from None
    major, minor = _version(document, name)
    try:
        notebook = nbformat.convert(nbformat.versions[major].to_notebook_json(document, minor=minor), 4)
    except AttributeError as exc:  # nbformat reads each part as a dict: one is missing or is not one
        raise LoadError(
            f"{md_code(name)} is not a notebook the grader can read (a part is missing or of the wrong "
            f"type: {_first_line(exc)})"
        ) from None
    except Exception as exc:  # missing keys, wrong types, JSON that is not a notebook at all
        raise LoadError(
            f"{md_code(name)} is not a notebook the grader can read ({type(exc).__name__}: {_first_line(exc)})"
        ) from None
    # Validation failures are deliberately not fatal. Colab, VS Code and Kaggle
    # write notebooks that do not always validate strictly (a code cell without
    # `outputs` or `execution_count`, a cell without an id, extra keys in
    # outputs or widget state), and none of that matters here: only each code
    # cell's source is used, and grader.submission.keep parses that with ast. Rejecting such a
    # notebook would fail a student for their editor's quirk, with nothing for
    # them to fix, so there is no note either. What is needed is checked
    # instead (a list of cells; code cells with text sources, see _source), and
    # the validation message is added to that error when one comes.
    problem = ""
    with warnings.catch_warnings():  # "cell is missing an id field" and the like
        warnings.simplefilter("ignore")
        try:
            nbformat.validate(notebook)
        except nbformat.ValidationError as exc:
            problem = _first_line(exc)
        except Exception as exc:  # nbformat's own failure on odd JSON (a RecursionError, say): as above
            problem = f"{type(exc).__name__}: {_first_line(exc)}"
    cells = notebook.get("cells") if isinstance(notebook, dict) else None
    if not isinstance(cells, list):
        raise LoadError(f"{md_code(name)} is not a valid notebook: it has no list of cells")
    return cells, problem


def _version(document: object, name: str) -> Tuple[int, int]:
    """The notebook's nbformat version, checked: nbformat asserts whole numbers deep inside."""
    if not isinstance(document, dict):
        raise LoadError(
            f"{md_code(name)} is not a notebook the grader can read: its JSON is {_json_kind(document)}, "
            "not an object with cells"
        )
    major, minor = document.get("nbformat", 1), document.get("nbformat_minor", 0)  # nbformat's defaults
    for key, value in (("nbformat", major), ("nbformat_minor", minor)):
        if type(value) is not int:
            shown = (
                md_code(json.dumps(value)[:40])
                if isinstance(value, (str, float, bool, type(None)))
                else _json_kind(value)
            )
            raise LoadError(
                f"{md_code(name)} is not a valid notebook: its {md_code(key)} is {shown}, not a whole number. "
                "Download it again (in Colab: File → Download → Download .ipynb) and submit that file."
            )
    if major not in (1, 2, 3, 4):
        raise LoadError(
            f"{md_code(name)} is not a notebook the grader can read: nbformat version {major} "
            "(the grader reads versions 1 to 4)"
        )
    return major, minor


def _json_kind(value: object) -> str:
    kinds = {
        dict: "an object",
        list: "a list",
        str: "a string",
        bool: "true or false",
        float: "a number",
        int: "a number",
        type(None): "null",
    }
    return kinds.get(type(value), "a value")


def _first_line(exc: BaseException) -> str:
    return escaped((str(exc).strip().splitlines() or [""])[0][:200])


def _json_problem(text: str, name: str, cause: Optional[BaseException]) -> str:
    advice = "Download it again (in Colab: File → Download → Download .ipynb) and submit that file."
    if not isinstance(cause, json.JSONDecodeError):
        return f"{md_code(name)} is not a valid notebook: its JSON cannot be read. {advice}"
    where = f"line {cause.lineno}, column {cause.colno}: {cause.msg}"
    if cause.pos >= len(text.rstrip()) or cause.msg.startswith("Unterminated string"):
        return (
            f"{md_code(name)} is not a valid notebook: it stops in the middle of its JSON ({where}); "
            f"it looks truncated. {advice}"
        )
    if not text.lstrip().startswith(("{", "[")) and _parses(text):
        return (
            f"{md_code(name)} is not a notebook: it contains Python source, not notebook JSON. "
            "Rename it to `.py` or submit the notebook itself."
        )
    return f"{md_code(name)} is not a valid notebook: its JSON is corrupt ({where}). {advice}"


def _parses(text: str) -> bool:
    """Whether this is Python, as the running interpreter parses it."""
    try:
        ast.parse(text)
    except PARSE_ERRORS:
        return False
    return True


def _source(cell: dict, number: int, name: str, problem: str) -> str:
    """The code cell's source as one string; one that is not text is an error naming the cell."""
    source = cell.get("source", "")
    if isinstance(source, list) and all(isinstance(part, str) for part in source):
        source = "".join(source)
    if not isinstance(source, str):
        why = f"; nbformat says: {problem}" if problem else ""
        raise LoadError(f"{md_code(name)} is damaged: the source of cell {number} is not text ({CELL_NUMBERS}{why})")
    return source
