"""Hostile: every call hoards torch tensors, 32 MB at a time, without bound.

Tries: exhaust the machine's memory (and take the grader down with it) from
inside pseudo_loss; the hoard is global, so it would also grow across calls.
Must happen: each call fails with "ran out of memory" (RLIMIT_AS of the child
only), score 0, the grader survives and the next submission grades normally.
"""
import torch

_hoard = []


def pseudo_loss(logits, actions, q_values):
    while True:
        _hoard.append(torch.ones(8 * 1024 * 1024))  # 32 MB of float32, pages touched
