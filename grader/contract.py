"""The names a submission and the grader agree on, needed on both sides of the sandbox."""

FUNCTION = "pseudo_loss"  # what the submission must define
SUBMISSION_FILE = "submission.py"  # the name the submission's code is compiled under in the child
