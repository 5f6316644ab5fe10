"""Manifest of the broken submissions: each file, and a fragment its message must contain.

Paths are relative to this folder. Each file is one kind of bad input as a
student produces it; none of them may crash the grader, all of them score 0.

LOAD_ERRORS are rejected by ``grader.load`` before anything runs (``LoadError``).
RUN_ERRORS are valid Python text: only the sandboxed child can tell what is
wrong (importing the module, or calling the function). ``HANGS`` are graded
with ``Limits(call_timeout_s=1.0, restarts=0)``, which their fragment names.

``image.py`` (a PNG screenshot saved under the code's name) and
``pdf_renamed.ipynb`` (a PDF export renamed) are real binary files: they
contain NUL bytes, which is what makes the loader call them binary.
``latin1.py`` has one Latin-1 byte (0xe9, "é") in a comment.
"""
from __future__ import annotations

from typing import Dict, FrozenSet

STUB = "../../../assignment/discrete/pseudo_loss.py"  # the handout's stub itself, handed in untouched

LOAD_ERRORS: Dict[str, str] = {
    "syntax_error.py": "syntax error in `syntax_error.py` line 6",
    "empty.py": "`empty.py` is empty",
    "whitespace_only.py": "`whitespace_only.py` is empty",
    "image.py": "`image.py` is a binary file, not Python source",
    "latin1.py": "`latin1.py` is not UTF-8 text",
    "pseudo_loss.txt": "`pseudo_loss.txt` is not a Python file or a notebook",
    "pdf_renamed.ipynb": "`pdf_renamed.ipynb` is a binary file, not a notebook",
}

RUN_ERRORS: Dict[str, str] = {
    "misnamed_function.py": "no function named `pseudo_loss` (it defines: pseudoloss)",
    "not_callable.py": "not a function but a value of type 'int'",
    "missing_package.py": "No module named 'tensorflow'",
    STUB: "NotImplementedError: implement pseudo_loss",
    "never_returns.py": "no answer within 1 s",
    "exit_at_import.py": "called sys.exit(1) while being imported",
    "forgot_return.py": "returned a `NoneType`, not a `torch.Tensor`",
}

# Found when the module is imported: the message is the whole feedback, in every test.
IMPORT_ERRORS: FrozenSet[str] = frozenset({"misnamed_function.py", "not_callable.py", "missing_package.py",
                                           "exit_at_import.py"})
# Found only when pseudo_loss is called: the failing checks say it.
CALL_ERRORS: FrozenSet[str] = frozenset(RUN_ERRORS) - IMPORT_ERRORS
HANGS: FrozenSet[str] = frozenset({"never_returns.py"})

# Valid code whose pseudo_loss returns an odd tensor: graded normally (not always 0), with the
# fragment in the interface check's feedback; tests/test_odd_answers.py says what else must hold.
ODD_RESULTS: Dict[str, str] = {
    "returns_empty_tensor.py": "returned a tensor of shape (0, ",
    "returns_shape_0.py": "returned a tensor of shape (0,)",
    "returns_shape_1.py": "returned a tensor of shape (1,)",
    "returns_complex.py": "returned a `complex64` tensor; the loss must be floating point",
    "returns_bool.py": "returned a `bool` tensor; the loss must be floating point",
    "returns_int.py": "returned a `int64` tensor; the loss must be floating point",
    "returns_many_dims.py": "returned a tensor of shape (1, 1, 1, 1, 1,",
    "returns_huge_view.py": "returned a tensor of shape (1099511627776,)",
}

CASES: Dict[str, str] = {**LOAD_ERRORS, **RUN_ERRORS, **ODD_RESULTS}
