"""One error hierarchy: every error the grader raises is either its own fault or the submission's.

A ``GraderError`` means the grader or its machine failed: the result says so
("Autograder error") and keeps the traceback for the course staff. A
``SubmissionError`` is something the submission is or did: it is graded, with a
message for the student, and never costs anyone else anything. How a command ends is ``Exit``.
"""

from enum import IntEnum


class Exit(IntEnum):
    """The exit statuses of `python -m grader`, of its package builder and of the handout's selfcheck.py."""

    OK = 0  # done; the self-check: every check passed
    FAILED = 1  # what was checked did not pass: a check, the import; a batch left an entry without a result
    USAGE = 2  # it could not start: a misused command (argparse's status), a file or a package missing
    INTERRUPTED = 130  # stopped by Ctrl-C or SIGTERM (128 + SIGINT, as a shell reports it); a rerun resumes


class GraderError(Exception):
    """A fault of the grader or the machine, never of the submission."""


class SubmissionError(Exception):
    """Something the submission is or did; the message is written for the student."""


class LoadError(SubmissionError):
    """The submission cannot be run at all; the message says why."""


class AnswerError(SubmissionError, ValueError):
    """A message from the sandboxed child that is not a valid answer."""


class SandboxError(GraderError):
    """The sandbox itself failed (the grader or the machine, not the submission)."""
