"""Hostile: sys.exit() at import with an exit code whose repr() raises.

Tries: the child writes "called sys.exit(<code>)" with repr() of the code, so
the import error itself raises and the child dies without a word. Must happen:
not graded, score 0, with a message that says sys.exit was called while being
imported.
"""
import sys


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")


sys.exit(Unprintable())


def pseudo_loss(logits, actions, q_values):
    return logits.sum()
