"""Hostile: a correct loss whose module closes stdin, stdout and stderr (Python objects and fds 0-2).

Tries: make the grader's child code crash when it flushes or reports, or
make the grader's output reader hang.
Must happen: full marks, the same as the plain loss.
"""
import os
import sys

import torch.nn.functional as F

print("closing stdio now", flush=True)
for _stream in (sys.stdin, sys.stdout, sys.stderr):
    _stream.close()
for _fd in (0, 1, 2):
    os.close(_fd)


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
