"""The student's own code run in this process, as the self-check and the local learning check run
it: their file imported as the grader's sandbox imports it, under the random state the sandboxed
child gives a submission."""

from __future__ import annotations

import linecache
import random
import sys
import tokenize
import types
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import numpy as np

from grader.checks.answer import seed_everything


@contextmanager
def seeded() -> Iterator[None]:
    """The random state the sandboxed child gives a submission (answer.seed_everything), so a
    loss that draws random numbers is graded the same here; the caller's state is restored after."""
    import torch  # when called: importing this module stays cheap

    saved = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        seed_everything()
        try:
            yield
        finally:
            random.setstate(saved[0])
            np.random.set_state(saved[1])


def read(path: Path) -> str:
    """The file's text, or "" when it cannot be read as Python source."""
    try:
        return source(path)
    except (OSError, ValueError, SyntaxError):
        return ""


def source(path: Path) -> str:
    """The file's text as Python decodes it: a BOM, a PEP 263 coding line, else UTF-8 (the grader's too)."""
    with tokenize.open(path) as handle:
        return handle.read()


def import_file(path: Path) -> types.ModuleType:
    """The student's file run as a module, compiled under its bare name as the grader's sandbox does
    (so tracebacks show it, and raised.own_frames finds its frames) and in linecache for inspect."""
    text = source(path)
    linecache.cache[path.name] = (len(text), None, text.splitlines(True), path.name)
    module = types.ModuleType("student_submission")
    module.__file__ = str(path.resolve())
    sys.modules[module.__name__] = module  # dataclasses and pickling look their module up there
    sys.path.insert(0, str(path.resolve().parent))  # its helper modules import
    exec(compile(text, path.name, "exec"), module.__dict__)
    return module
