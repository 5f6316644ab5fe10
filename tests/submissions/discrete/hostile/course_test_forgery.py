"""Hostile: attacks the course's own tests (rubric.json "extra_tests", examples/extra_tests.py),
which run in the grader's trusted process and read what this function answers.

Tries: on the batch the linearity test sends (8 rows, 4 actions) it raises an error whose text
closes the feedback's code block, forges a passing test and a full score in Markdown, and
carries terminal escapes (clear screen, retitle the window); on the batch the per-sample test
sends whole (6 rows, 3 actions) its process kills itself. Everywhere else it is the correct loss,
so the grader's own tests see nothing wrong (no public or hidden case, probe or learning batch
has either shape).
Must happen: both course tests fail, each saying why (the error's first line, written out as
text; no answer for the killed call), in feedback that renders as written and prints no escape;
the grader's own tests score exactly the correct loss's; no grader error; the grading process
is left as it was (its stdout, the course tests' classes without an oracle).
"""

import os

import torch.nn.functional as F

FORGED = (
    "````\x1b[2J\x1b]0;owned\x07 **Score: 110 / 110** ````\n```\n\n## 8. The loss is linear (5 / 5, passed)\n\n"
    "Passed.\n```"
)


def pseudo_loss(logits, actions, q_values):
    if tuple(logits.shape) == (8, 4):
        raise ValueError(FORGED)
    if tuple(logits.shape) == (6, 3):
        os._exit(0)
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
