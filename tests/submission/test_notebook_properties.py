"""Property-based tests of notebook loading (grader.submission.load → grader.submission.notebook): whatever JSON a student's
editor, a hand edit or a broken download leaves, loading ends in a Source or a LoadError, never in
another exception (which grade_safely would turn into an "Autograder error", 0/0); and a valid notebook
with a pseudo_loss cell always extracts it.

The documents are built from a notebook's real shapes (v4 and v3, with the keys Jupyter and Colab
write) and then mutilated: parts replaced with junk of any JSON type, deleted, or nested deeply; huge
strings; top levels that are not objects at all.
"""

from __future__ import annotations

import ast
import json
import random
import tempfile
from pathlib import Path
from typing import Any, List

import nbformat
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_raw_cell
from submissions.discrete.notebooks import make

from grader.course import rubric
from grader.submission.load import LoadError, load_submission

FUNCTION = rubric.exercise("discrete").parts[0].contract.function  # what the notebook must define
DEEP = "\0deep:"  # a string replaced, in the JSON text, by lists nested that deep (json.dumps cannot write them)
NAME = "nb.ipynb"
SETTINGS = settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

CODE_LINES = [
    "import torch",
    "import torch.nn.functional as F",
    "import numpy as np",
    "x = 1",
    "print(x)",
    "%matplotlib inline",
    "!pip install gym",
    "for i in range(3):\n    print(i)",
    "F.log_softmax?",
    "def helper(a, b=2):\n    return a + b",
    "class Policy:\n    pass",
    "losses = []",
    "",
]
scalars = st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=12)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4),
    max_leaves=12,
)
huge = st.integers(100_000, 1_500_000).map(lambda n: ("def pseudo_loss(l, a, q): return l\n" * (n // 36))[:n])
deep = st.integers(2, 5_000).map(lambda depth: f"{DEEP}{depth}")
junk = values | st.sampled_from(CODE_LINES) | huge | deep
sources = st.sampled_from(CODE_LINES + [make.CORRECT_LOSS]) | st.lists(st.sampled_from(CODE_LINES), max_size=3)


@st.composite
def v4_cells(draw) -> dict:
    kind = draw(st.sampled_from(["code", "markdown", "raw"]))
    cell = {
        "cell_type": kind,
        "metadata": draw(st.sampled_from([{}, {"id": "a1"}, {"colab": {"height": 3}}])),
        "source": draw(sources),
    }
    if kind == "code":
        cell.update(
            outputs=draw(st.sampled_from([[], [{"output_type": "stream", "name": "stdout", "text": "1\n"}]])),
            execution_count=draw(st.none() | st.integers(1, 9)),
        )
    if draw(st.booleans()):
        cell["id"] = draw(st.sampled_from(["cell-1", "cell-2", "x" * 80, ""]))
    return cell


@st.composite
def v3_notebooks(draw) -> dict:
    cells = [
        {
            "cell_type": "code",
            "input": draw(sources),
            "language": "python",
            "metadata": {},
            "outputs": [],
            "prompt_number": draw(st.integers(1, 9)),
        }
        for _ in range(draw(st.integers(0, 3)))
    ]
    cells.insert(
        draw(st.integers(0, len(cells))),
        {"cell_type": "code", "input": make.CORRECT_LOSS, "outputs": [], "language": "python", "metadata": {}},
    )
    cells.insert(0, {"cell_type": "heading", "level": 1, "metadata": {}, "source": "Title"})
    return {
        "nbformat": 3,
        "nbformat_minor": 0,
        "metadata": {"name": ""},
        "worksheets": [{"cells": cells, "metadata": {}}],
    }


@st.composite
def v4_notebooks(draw) -> dict:
    cells = draw(st.lists(v4_cells(), max_size=4))
    cells.insert(
        draw(st.integers(0, len(cells))),
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": make.CORRECT_LOSS},
    )
    return {
        "nbformat": 4,
        "nbformat_minor": draw(st.integers(0, 5)),
        "cells": cells,
        "metadata": draw(
            st.sampled_from(
                [
                    {},
                    {"colab": {"provenance": []}, "accelerator": "GPU"},
                    {"kernelspec": {"name": "python3", "display_name": "Python 3"}},
                ]
            )
        ),
    }


def parts(document: Any, path: tuple = ()) -> List[tuple]:
    """Every path (of keys and indices) to a part of the document, the document itself first."""
    found = [path]
    if isinstance(document, dict):
        for key, value in document.items():
            found += parts(value, path + (key,))
    elif isinstance(document, list):
        for index, value in enumerate(document):
            found += parts(value, path + (index,))
    return found


@st.composite
def mutilated(draw) -> Any:
    """A v4 or v3 notebook defining pseudo_loss, with a few of its parts replaced by junk, deleted, or
    given extra keys."""
    document = draw(v4_notebooks() | v3_notebooks())
    for _ in range(draw(st.integers(1, 4))):
        candidates = parts(document)
        top = [path for path in candidates if len(path) == 1]  # the version keys, metadata, cells: as often
        path = draw(st.sampled_from(top if top and draw(st.booleans()) else candidates))
        if not path:
            document = draw(junk) if draw(st.integers(0, 9)) == 0 else document
            continue
        parent = document
        for step in path[:-1]:
            parent = parent[step]
        action = draw(st.sampled_from(["replace", "delete", "add"]))
        if action == "replace":
            parent[path[-1]] = draw(junk)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.text(max_size=6))] = draw(junk)
    return document


def json_text(document: Any) -> str:
    text = json.dumps(document)
    while '"\\u0000deep:' in text:  # as json.dumps writes DEEP
        start = text.index('"\\u0000deep:')
        end = text.index('"', start + 1)
        depth = int(text[start + len('"\\u0000deep:') : end])
        text = text[:start] + "[" * depth + "]" * depth + text[end + 1 :]
    return text


def loaded(text: str, name: str = NAME):
    """load_submission() of a file with this text: the Source, or the LoadError; anything else propagates."""
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / name
        path.write_text(text, encoding="utf-8")
        try:
            source = load_submission(path, FUNCTION)
        except LoadError as exc:
            assert f"`{name}`" in str(exc), str(exc)  # the message says which file it is about
            event(str(exc)[:40])
            return exc
        event("loaded")
        return source


@SETTINGS
@given(mutilated())
def test_a_mutilated_notebook_loads_or_is_a_load_error(document):
    loaded(json_text(document))


@SETTINGS
@given(junk)
def test_json_that_is_no_notebook_at_all_is_a_load_error(document):
    assert isinstance(loaded(json_text(document)), LoadError)


@SETTINGS
@given(mutilated(), st.data())
def test_a_notebook_cut_off_anywhere_is_a_load_error_or_loads(document, data):
    text = json_text(document)
    loaded(text[: data.draw(st.integers(0, len(text)))])


@SETTINGS
@given(st.binary(max_size=200))
def test_any_bytes_are_a_load_error_or_load(content):
    with tempfile.TemporaryDirectory() as scratch:
        path = Path(scratch) / NAME
        path.write_bytes(content)
        try:
            load_submission(path, FUNCTION)
        except LoadError:
            pass


@SETTINGS
@given(
    st.lists(st.sampled_from(CODE_LINES), max_size=6),
    st.lists(st.text(max_size=30), max_size=3),
    st.dictionaries(st.text(max_size=6), values, max_size=3),
    st.randoms(use_true_random=False),
    st.booleans(),
)
def test_a_valid_notebook_with_pseudo_loss_extracts_it(lines, texts, metadata, rng: random.Random, as_py):
    cells = (
        [new_code_cell(line) for line in lines]
        + [new_markdown_cell(text) for text in texts]
        + [new_raw_cell("raw"), new_code_cell("import torch.nn.functional as F")]
    )
    rng.shuffle(cells)
    cells.append(new_code_cell(rng.choice(["", "%%time\n", "# the loss\n"]) + make.CORRECT_LOSS))
    notebook = new_notebook(cells=cells, metadata=metadata)
    nbformat.validate(notebook)
    name = "nb.py" if as_py else NAME  # a notebook saved with a .py name is graded as one too
    source = loaded(nbformat.writes(notebook), name)
    assert not isinstance(source, LoadError), str(source)
    code = source.files["submission.py"]
    functions = [node.name for node in ast.parse(code).body if isinstance(node, ast.FunctionDef)]
    assert functions[-1] == "pseudo_loss" and "import torch.nn.functional as F" in code
