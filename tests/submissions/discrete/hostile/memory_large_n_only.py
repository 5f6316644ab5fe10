"""Hostile (or just careless): a correct loss that exhausts memory only on large batches.

Tries: pass the small public cases, and on N > 1000 build an ever-growing
"cache" of 32 MB tensors, the way a leaky memoisation would.
Must happen: the large cases fail with "ran out of memory", the small ones
still pass: exactly the score of a twin that raises an ordinary error on
N > 1000; the grader restarts the child after each memory failure and survives.
"""
import torch
import torch.nn.functional as F

_cache = []


def pseudo_loss(logits, actions, q_values):
    if logits.shape[0] > 1000:
        while True:
            _cache.append(torch.ones(8 * 1024 * 1024))
    log_probs = F.log_softmax(logits, dim=1)
    taken = log_probs.gather(1, actions.view(-1, 1)).view(-1)
    return -(taken * q_values).mean()
