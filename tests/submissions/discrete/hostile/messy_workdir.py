"""Hostile: a correct loss that leaves a temp dir that is hard to delete.

Tries: a deep tree of directories made unreadable (mode 000), read-only
files, a FIFO, a bound Unix socket and a symlink to / inside its working
directory, so the grader's cleanup fails or follows the link.
Must happen: full marks (same as the plain loss); the working directory it
printed no longer exists after grading, and / is untouched.
"""
import os
import socket

import torch.nn.functional as F

_here = os.getcwd()
print(f"working directory: {_here}")
_path = _here
for _depth in range(40):
    _path = os.path.join(_path, "d")
    os.mkdir(_path)
    with open(os.path.join(_path, "f"), "w") as _handle:
        _handle.write("x")
    os.chmod(os.path.join(_path, "f"), 0o400)
os.mkfifo(os.path.join(_here, "fifo"))
os.symlink("/", os.path.join(_here, "root-link"))
try:  # a sandbox may forbid sockets altogether
    _server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    _server.bind(os.path.join(_here, "sock"))
except OSError:
    pass
for _parent, _dirs, _files in list(os.walk(_here, topdown=False)):
    os.chmod(_parent, 0o000) if _parent != _here else None
os.chmod(_here, 0o500)


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
