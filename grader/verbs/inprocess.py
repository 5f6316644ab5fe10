"""The student's own code run in this process, as the self-check and the local learning check run
it: their file imported as the grader's sandbox imports it, and called as the sandboxed child calls
it (as_graded): under the same random state, with torch.compile run eagerly."""

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

from grader.calling.answer import seed_everything


@contextmanager
def as_graded() -> Iterator[None]:
    """The conditions the sandboxed child calls a submission in: seeded, and eager."""
    with seeded(), eager():
        yield


@contextmanager
def eager() -> Iterator[None]:
    """torch.compile'd functions run eagerly, as in the grader (sandbox/child.py's _eager): the
    grade is about the math, and compiling takes 20 s. Only while the checks run, so a notebook's
    own training compiles after; a torch older than set_stance (2.6) compiles, as it always did."""
    stance = None
    if "torch._dynamo" in sys.modules:  # only a submission that used torch.compile imported it
        import torch

        try:
            stance = torch.compiler.set_stance("force_eager")
        except Exception:  # no set_stance in this torch, or the submission replaced it
            stance = None
    if stance is None:
        yield
        return
    with stance:
        yield


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
