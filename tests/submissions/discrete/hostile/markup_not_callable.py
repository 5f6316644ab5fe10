"""Hostile: `pseudo_loss` bound to an instance of a class whose name is every markup payload.

Tried: the grader said "`pseudo_loss` is not a function but a value of type `...`"
with the class's `__name__`, which the submission chooses; multi-line, with
backticks, it breaks out of that code span into raw Markdown (payloads from
markup_payloads.py, beside this file).
Must happen: score 0, the type name shown as text, nothing rendered from it.
"""
from markup_payloads import LINES


class Value:
    pass


Value.__name__ = Value.__qualname__ = LINES
pseudo_loss = Value()
