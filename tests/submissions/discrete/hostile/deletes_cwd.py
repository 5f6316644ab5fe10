"""Hostile: a correct loss whose module deletes its own working directory (and tries its parent).

Tries: break the grader's cleanup or make later file operations of the child fail.
Must happen: full marks, the same as the plain loss; nothing left behind.
"""
import os
import shutil

import torch.nn.functional as F

_here = os.getcwd()
print(f"working directory: {_here}")
shutil.rmtree(_here, ignore_errors=True)
try:
    os.rmdir(_here)
except OSError as exc:
    print(f"rmdir: {exc.strerror}")
shutil.rmtree(os.path.dirname(_here), ignore_errors=True)  # /tmp itself: must be denied


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
