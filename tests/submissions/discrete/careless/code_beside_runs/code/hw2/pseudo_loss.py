"""Careless (c): correct, two folders down, beside a runs/ folder of tens of thousands of
files (the tests write it: tests/submissions/careless/make.py). The grader used to stop
listing after 20,000 entries, before it reached this folder, and said the upload "contains
no .py file". Graded: this file, full marks."""

import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()
