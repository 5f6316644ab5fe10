"""Hostile: raise an exception whose __str__ and __repr__ raise SystemExit.

Tries: the grader's child formats the error with str(); an exit from inside it
could kill the child or make the grader blame it. Must happen: graded
normally, score 0; the feedback says the message could not be read
("str() failed") and still quotes the line of pseudo_loss that raised.
"""


class Unprintable(Exception):
    def __str__(self):
        raise SystemExit("not from str()")

    __repr__ = __str__


def pseudo_loss(logits, actions, q_values):
    raise Unprintable("boom")
