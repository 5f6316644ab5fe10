"""The CartPole trainer's policy network, in numpy float32 (its optimizer is grader.learning.runs.Adam).

logits = tanh(obs w1^T + b1) w2^T + b2, with its backward pass written out
(tests/learning/test_cartpole.py checks it, and Adam, against torch). A batch is a
few small array operations this way, where torch's autograd costs more than the
environment's own steps: it allocates every intermediate afresh, and arrays of
megabytes cost more in page faults than in arithmetic.
"""

from __future__ import annotations

from typing import List, Optional, Tuple

import numpy as np
import torch


class Policy:
    """4 -> hidden (tanh) -> 2, initialised as torch.nn.Linear is (uniform within 1/sqrt(fan_in)).
    A batch's hidden layer lives in the module's workspace."""

    def __init__(self, hidden: int, rng: np.random.Generator):
        def linear(fan_in: int, fan_out: int):
            bound = fan_in**-0.5
            return (rng.uniform(-bound, bound, size).astype(np.float32) for size in ((fan_out, fan_in), (fan_out,)))

        self.w1, self.b1 = linear(4, hidden)
        self.w2, self.b2 = linear(hidden, 2)
        self.params = [self.w1, self.b1, self.w2, self.b2]

    def forward(self, obs: np.ndarray) -> np.ndarray:
        hidden = matmul(obs, self.w1.T, _workspace(len(obs), len(self.b1))[0], self.b1)
        np.tanh(hidden, out=hidden)
        return matmul(hidden, self.w2.T, bias=self.b2)

    def backward(self, obs: np.ndarray, grad: np.ndarray) -> List[np.ndarray]:
        """d(sum(logits * grad))/d(each param), for the obs of the last forward: what
        logits.backward(grad) leaves in the parameters' .grad."""
        hidden, work = _workspace(len(obs), len(self.b1))
        grad_w2, grad_b2 = matmul(grad.T, hidden), grad.sum(axis=0)
        matmul(grad, self.w2, work)  # dL/dhidden, then times tanh' = 1 - hidden^2
        np.multiply(work, np.subtract(1, np.square(hidden, out=hidden), out=hidden), out=work)
        return [matmul(work.T, obs), work.sum(axis=0), grad_w2, grad_b2]


_WORKSPACE: List[np.ndarray] = []
"""Two (rows, hidden) buffers that every network's forward and backward use in turn, made again
only when a batch outgrows them."""


def _workspace(rows: int, hidden: int) -> Tuple[np.ndarray, np.ndarray]:
    if not _WORKSPACE or len(_WORKSPACE[0]) < rows or _WORKSPACE[0].shape[1] != hidden:
        size = 1 << max(rows - 1, 1).bit_length()  # a power of two: a growing batch remakes them rarely
        _WORKSPACE[:] = [np.zeros((size, hidden), np.float32) for _ in range(2)]
    return _WORKSPACE[0][:rows], _WORKSPACE[1][:rows]


def matmul(
    a: np.ndarray, b: np.ndarray, out: Optional[np.ndarray] = None, bias: Optional[np.ndarray] = None
) -> np.ndarray:
    """a @ b (+ bias) by torch, which the trainer keeps to one thread: numpy's OpenBLAS shares a
    product of a batch's size among every core, and on a busy machine its threads wait for each
    other (ten times slower); one thread also keeps the sums the same whatever the caller's
    thread count."""
    result = np.empty((a.shape[0], b.shape[1]), np.float32) if out is None else out
    a_, b_, result_ = torch.from_numpy(a), torch.from_numpy(b), torch.from_numpy(result)
    if bias is None:
        torch.mm(a_, b_, out=result_)
    else:
        torch.addmm(torch.from_numpy(bias), a_, b_, out=result_)
    return result
