"""Hostile: print every input it is called with, to learn the hidden cases from its own feedback.

Tries: the hidden cases' inputs necessarily reach the child; the submission
prints each call's shape and first values, and the grader shows "what your
code printed" in the student-visible feedback. With the case generator
(grader/cases.py ships in the handout) the first logit is enough to recover a
hidden seed by brute force, and with it every hidden input.
Must happen: nothing printed during a hidden case reaches the student: no
hidden case's shape-and-first-logit line appears in results.json.
"""
import torch


def pseudo_loss(logits, actions, q_values):
    n, a = logits.shape
    print(f"case N={n} A={a} first={float(logits[0, 0]):.6f} q0={float(q_values[0]):.6f}")
    return (torch.softmax(logits, dim=1) * q_values[:, None]).mean()
