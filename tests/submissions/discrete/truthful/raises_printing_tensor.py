"""Truthful feedback: an exception whose message prints a tensor over many lines.

Must happen: every failing test quotes the exception's type and the first line
of its message (`ValueError: unexpected logits tensor(...`), never the last
row of the printed tensor; the traceback block closes on a line of its own, so
the sentence after it renders as text (CommonMark), and the terminal view
refers to an earlier test instead of leaving a body blank.
"""


def pseudo_loss(logits, actions, q_values):
    raise ValueError(f"unexpected logits {logits}")
