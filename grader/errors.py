"""One error hierarchy: every error the grader raises is either its own fault or the submission's.

A ``GraderError`` means the grader or its machine failed: the result says so
("Autograder error") and keeps the traceback for the course staff. A
``SubmissionError`` is something the submission is or did: it is graded, with a
message for the student, and never costs anyone else anything.
"""


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
