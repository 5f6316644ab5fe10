"""Careless (a): correct, in a folder beside large data modules it does not import (the tests
write them: tests/submissions/careless/make.py). The grader used to parse every .py of the
folder to find pseudo_loss, and to read every sibling as a helper module; now it parses this
file and policy_utils.py, which it imports, and nothing else. Graded: this file, full marks."""

from policy_utils import log_prob_of


def pseudo_loss(logits, actions, q_values):
    return -(log_prob_of(logits, actions) * q_values).mean()
