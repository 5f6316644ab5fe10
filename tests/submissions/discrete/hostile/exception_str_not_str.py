"""Hostile: raise an exception whose __str__ returns an int, not a str.

Must happen: graded normally, score 0; the feedback says the message could not
be read ("str() failed") and quotes the line of pseudo_loss that raised.
"""


class NotText(Exception):
    def __str__(self):
        return 42


def pseudo_loss(logits, actions, q_values):
    raise NotText("boom")
