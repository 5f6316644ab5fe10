"""A trial (one case, its expected answer, what came back) and how the checks word one.

An outcome without a usable result is told as a sentence (``problem``) and,
when the function raised in its own code, the frames where (``where``), which
go in a paragraph of their own: a fenced block must close on a line by itself
(CommonMark), so no sentence may follow it on its closing line. A verdict over
many cases (``over_cases``) shows the first failing public case and counts the
rest. Of the hidden cases a student sees one bit per check, whether any failed
(``Hidden``): a count would let a submission that recognises hidden inputs read
back how many of them meet a predicate of its choosing, one per resubmission.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple

from grader.calling.answer import Answer
from grader.calling.oracle import Failure, Outcome
from grader.checks.cases import Case, Expected
from grader.text import code, escaped, fenced


@dataclass(frozen=True)
class Trial:
    case: Case
    expected: Expected
    outcome: Outcome


def headline(error: str) -> str:
    """An error as one line: its type and the first line of its message. The child sends
    "Type: message" (traceback's own format), where a message can run over many lines (a printed
    tensor) and a SyntaxError's location comes first, indented: the first line that is not indented
    names the type. A message that starts on the next line is joined to it."""
    lines = [line for line in error.splitlines() if line.strip()]
    if not lines:
        return "(an error with no message)"
    at = next((i for i, line in enumerate(lines) if not line[0].isspace()), 0)
    first = lines[at].rstrip()
    if first.endswith(":") and at + 1 < len(lines):
        first = f"{first} {lines[at + 1].strip()}"
    return first


def quoted(error: str) -> str:
    """The error's headline in code, saying how much of the message it leaves out."""
    count = len([line for line in error.splitlines() if line.strip()])
    shown = code(headline(error))
    return f"{shown} (the start of {count} lines)" if count > 1 else shown


# What torch raises when code asks for a GPU that is not there, and what to do instead.
_NO_GPU = ("Torch not compiled with CUDA enabled", "Found no NVIDIA driver", "No CUDA GPUs are available")
_ON_THE_CPU = (
    "(there is no GPU: the function runs on the CPU, here and in the grader, so no driver is "
    "needed; make new tensors on an input's `tensor.device` instead of calling `.cuda()`)"
)


def problem(outcome: Outcome) -> Optional[str]:
    """Why this outcome has no usable result, as words after "the function"; None when it returned.
    Where in the student's code it raised is ``where``'s, for a paragraph of its own."""
    if isinstance(outcome, Failure):
        return f"did not answer: {escaped(outcome.message)}"
    if outcome.error is not None:
        if outcome.memory:
            return f"ran out of memory: {quoted(outcome.error)}"
        if any(words in outcome.error for words in _NO_GPU):
            return f"raised {quoted(outcome.error)} {_ON_THE_CPU}"
        return f"raised {quoted(outcome.error)}"
    return None


def where(outcome: Outcome) -> str:
    """The frames of the student's code an exception went through, as a code block ("" if none)."""
    if isinstance(outcome, Answer) and outcome.error is not None and outcome.traceback:
        return fenced(outcome.traceback)
    return ""


@dataclass(frozen=True)
class Hidden:
    """A check's hidden cases and those that failed it. The count and the cases are the course
    staff's (extra_data, the TA's outputs); a student is told whether any failed, and how many
    only in a test held back until grades are published (held.py)."""

    total: int
    failed: Tuple[Case, ...]
    verbs: Tuple[str, str] = ("fails", "fail")  # what a failing case did, singular and plural
    secret: str = "their inputs"  # what else is not shown

    def said(self, counted: bool = False) -> str:
        """The sentence a student reads; counted: how many failed (held.COUNTED), else whether any did."""
        if not self.failed:
            return f"All {self.total} hidden cases pass."
        if counted:
            return (
                f"{len(self.failed)} of {self.total} hidden cases {self.verbs[1]} "
                f"(which ones and {self.secret} are not shown)."
            )
        return (
            f"At least one of the {self.total} hidden cases {self.verbs[0]} "
            f"(which ones, how many and {self.secret} are not shown)."
        )


Verdict = Callable[[Trial, Answer], Optional[str]]  # what is wrong with an answer, None if nothing
Judged = Tuple[bool, str, Optional[Hidden]]  # passed, the student's feedback, the hidden cases (None: none)


def over_cases(trials: List[Trial], verdict: Verdict, success: str) -> Judged:
    """Pass when every case passes; show the first failing public case, and whether a hidden one fails.
    verdict(trial, answer) says what is wrong with an answer; one that did not come is said here."""

    def judged(trial: Trial) -> Optional[str]:
        issue = problem(trial.outcome)
        if issue:
            return f"the function {issue}"
        assert isinstance(trial.outcome, Answer)  # problem() is None only for an answer
        return verdict(trial, trial.outcome)

    public = [(t, judged(t)) for t in trials if not t.case.hidden]
    hidden = [(t, judged(t)) for t in trials if t.case.hidden]
    public_bad = [(t, why) for t, why in public if why]
    told = Hidden(len(hidden), tuple(t.case for t, why in hidden if why)) if hidden else None
    if not public_bad and not (told and told.failed):
        return True, success, told
    lines, block = [], ""
    if public_bad:
        trial, why = public_bad[0]
        lines.append(f"On {trial.case.label}: {why}.")
        block = where(trial.outcome)
        if len(public_bad) > 1:
            lines.append(f"{len(public_bad) - 1} more of the {len(public)} public cases fail too.")
    elif public:  # none when the hidden cases are a test of their own (held.py)
        lines.append(f"All {len(public)} public cases pass.")
    if told:
        lines.append(told.said())
    return False, " ".join(lines) + (f"\n\n{block}" if block else ""), told
