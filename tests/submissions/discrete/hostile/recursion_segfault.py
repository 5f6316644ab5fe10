"""Hostile: raise the recursion limit and recurse through C code until the C stack overflows.

Tries: a segmentation fault of the interpreter (Python frames that go
through map() use the C stack, which sys.setrecursionlimit no longer guards).
Must happen: the child dies (SIGSEGV) or runs out of memory; score 0, a clear
message, restarts are bounded, the grader survives.
"""
import sys

sys.setrecursionlimit(10 ** 8)


def _deeper(depth):
    return list(map(_deeper, [depth + 1]))


def pseudo_loss(logits, actions, q_values):
    _deeper(0)
    return logits.sum() * 0
