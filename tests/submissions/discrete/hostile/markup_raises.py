"""Hostile: a function that prints every markup payload and raises an exception made of them.

Tries: the exception's text is quoted in each failed test ("the function raised
`...`") and by `python -m grader explain`, and the printed output in the summary;
the payloads (markup_payloads.py, beside this file) would render as HTML, a link,
emphasis, or repaint a terminal, or hide a name behind U+202E.
Must happen: score 0, every payload shown as text wherever it is quoted.
"""
import sys

from markup_payloads import LINES, ONE_LINE


def pseudo_loss(logits, actions, q_values):
    print(LINES)
    print(LINES, file=sys.stderr)
    raise ValueError(ONE_LINE)
