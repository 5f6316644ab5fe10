"""Hostile: raise an exception whose class has an empty __qualname__ and __name__,
no module to print and no message.

Tries: Python formats such an exception as an empty string, and the grader
quotes the last line of the error, so it hopes for a grader fault ("Autograder
error", 0/0, no feedback). Must happen: graded normally, score 0, the feedback
says "an exception of a class with no name" and quotes the submission's line.
"""


class Nameless(Exception):
    pass


Nameless.__qualname__ = ""
Nameless.__name__ = ""
Nameless.__module__ = "builtins"


def pseudo_loss(logits, actions, q_values):
    raise Nameless()
