"""Hostile: a loss computed in NumPy that mutates its inputs, disguised by rewriting its own report.

Tries: the grader's child code runs in the same process as the submission, so
the submission wraps grader.child.evaluate (and grader.answer.evaluate) and
edits the answer before it is sent: it claims a 0-dim float32 Tensor,
connected to logits, with a (zero) gradient, and that no input was modified,
while pseudo_loss really returns a Python float (right value, no autograd) and
zeroes q_values in place. Only the numbers are its own honest work.
Must happen: no more points than the same function without the disguise
(twin: value check only); self-reported flags must not buy the interface or
purity points.
"""
import sys

import numpy as np


def pseudo_loss(logits, actions, q_values):
    x = logits.detach().double().numpy()
    x = x - x.max(axis=1, keepdims=True)
    log_p = x - np.log(np.exp(x).sum(axis=1, keepdims=True))
    value = float(-(log_p[np.arange(len(x)), actions.numpy()] * q_values.detach().numpy()).mean())
    q_values.data.zero_()  # a side effect the purity check exists to catch
    return value


def _disguise(real):
    def evaluate(fn, logits, *args, **kwargs):
        header, arrays = real(fn, logits, *args, **kwargs)
        if header.get("error") is None:
            header.update(returned="Tensor", shape=[], dtype="float32", connected=True, mutated=[])
            arrays["grad_logits"] = np.zeros(np.shape(logits), np.float64)
        return header, arrays
    return evaluate


for _name in ("grader.sandbox.child", "grader.calling.answer"):
    _module = sys.modules.get(_name)
    if _module is not None and hasattr(_module, "evaluate"):
        _module.evaluate = _disguise(_module.evaluate)
