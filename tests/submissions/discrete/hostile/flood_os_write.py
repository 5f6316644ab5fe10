"""Hostile: a correct loss that writes ~200 MB straight to file descriptors 1 and 2 with os.write.

Tries: bypass any Python-level capture of sys.stdout / sys.stderr.
Must happen: full marks, results.json < 1 MB, first and last lines kept, the cut announced.
"""
import os

import torch.nn.functional as F

BAKED = {}
_MB = BAKED.get("mb", 200)

os.write(1, b"FLOOD FIRST LINE\n")
_block = (b"flood " + b"z" * 93 + b"\n") * 10_000
for _number in range(_MB):
    _view = memoryview(_block)
    while _view:
        _view = _view[os.write(1 + _number % 2, _view):]
os.write(1, b"FLOOD LAST LINE\n")


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
