"""Hostile: the nameless, messageless exception of nameless_exception.py, raised at import.

Must happen: not graded, score 0, with a message that says what was raised
("an exception of a class with no name") and where (line 19), not an empty one.
"""


class Nameless(Exception):
    pass


Nameless.__qualname__ = ""
Nameless.__name__ = ""
Nameless.__module__ = "builtins"


def pseudo_loss(logits, actions, q_values):
    return logits.sum()
raise Nameless()
