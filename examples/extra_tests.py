"""Course tests for the discrete pseudo-loss: two properties of the correct loss that the
grader's own checks do not state on their own.

To grade with them, copy this file next to reference/discrete/rubric.json and add
"extra_tests": "extra_tests.py" to rubric.json (make autograder ships it; make grade and
every batch run it). To try it on one submission first:

    python -m grader grade --extra-tests examples/extra_tests.py examples/grace.py

They run in the grader's own process. For the run, each TestCase class has
``self.oracle``, whose ``call(*arrays)`` sends the arrays to the student's function in
its sandbox and returns the answer (``.scalar`` the loss, ``.grads[name]`` the
gradient with respect to an argument, as numpy arrays), or fails the test with the
reason there is none; and ``self.contract``, whose ``names`` are the function's
arguments in order. A test's name is the first line of its docstring; what its
assertions say is what the student reads.
"""

from __future__ import annotations

import unittest

import numpy as np
from gradescope_utils.autograder_utils.decorators import number, tags, visibility, weight

RTOL = 1e-4  # float32 sums of a few dozen terms, as the grader's own checks allow


def batch(rows: int, actions: int, seed: int):
    """Logits, actions sampled from their softmax, and q values: an ordinary batch."""
    rng = np.random.default_rng(seed)
    logits = rng.normal(0.0, 2.0, size=(rows, actions)).astype(np.float32)
    probs = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    taken = np.array([rng.choice(actions, p=p) for p in probs], dtype=np.int64)
    q = rng.normal(0.0, 1.0, size=rows).astype(np.float32)
    return logits, taken, q


class PseudoLossProperties(unittest.TestCase):
    oracle = None  # set by the grader for the run
    contract = None

    def ask(self, **arrays):
        """The student's answer for arguments given by name, in the contract's order."""
        return self.oracle.call(*(arrays[name] for name in self.contract.names))

    def assertClose(self, got, expected, what: str):
        got, expected = np.asarray(got, np.float64), np.asarray(expected, np.float64)
        scale = max(float(np.max(np.abs(expected), initial=0.0)), 1e-6)
        if got.shape != expected.shape or not np.all(np.abs(got - expected) <= RTOL * scale):
            self.fail(f"{what}: expected {np.round(expected, 6).tolist()}, got {np.round(got, 6).tolist()}")

    @weight(5)
    @number("8")
    @tags("linearity")
    @visibility("visible")
    def test_linear_in_q(self):
        """The loss and its gradient are linear in q_values"""
        logits, actions, q1 = batch(8, 4, seed=1)
        q2 = batch(8, 4, seed=2)[2]
        one = self.ask(logits=logits, actions=actions, q_values=q1)
        two = self.ask(logits=logits, actions=actions, q_values=q2)
        both = self.ask(logits=logits, actions=actions, q_values=q1 + q2)
        tripled = self.ask(logits=logits, actions=actions, q_values=3 * q1)
        self.assertIsNotNone(one.scalar, "the loss is not a single number")
        where = "on a batch of 8 rows and 4 actions"
        self.assertClose(both.scalar, one.scalar + two.scalar, f"{where}, L(q1 + q2) = L(q1) + L(q2)")
        self.assertClose(tripled.scalar, 3 * one.scalar, f"{where}, L(3 q) = 3 L(q)")
        self.assertClose(tripled.grads.get("logits"), 3 * one.grads.get("logits"), f"{where}, dL/dlogits at 3 q")

    @weight(5)
    @number("9")
    def test_batch_gradient_is_the_mean_of_per_sample_gradients(self):
        """The gradient of a batch is the mean of the per-sample gradients"""
        rows = 6
        logits, actions, q = batch(rows, 3, seed=3)
        whole = self.ask(logits=logits, actions=actions, q_values=q)
        singles = [
            self.ask(logits=logits[i : i + 1], actions=actions[i : i + 1], q_values=q[i : i + 1]) for i in range(rows)
        ]
        for answer in [whole, *singles]:
            self.assertIn("logits", answer.grads, "there is no gradient with respect to logits")
        expected = np.concatenate([single.grads["logits"] for single in singles]) / rows
        self.assertClose(
            whole.grads["logits"],
            expected,
            f"dL/dlogits of a batch of {rows} rows, next to each row's gradient alone divided by {rows}",
        )
