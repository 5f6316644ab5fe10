"""Hostile, one of a pair graded side by side in a batch (`--jobs 2`) with
`collude_watcher.py`: a correct loss that spells the shape N x A of every call, hidden
ones included, in the filesystem, for its partner to read.

- It opens two of the C++ headers torch ships (torch/include/ATen/ops, thousands of
  files no loss reads), chosen by N and by A: a child watching that folder (inotify,
  dnotify, access times) learns the shape from the names opened.
- It creates files named `collude-N<N>-A<A>` wherever it can: its working directory,
  the folder above it, /tmp, /var/tmp, /dev/shm, $HOME.

Expected: the watcher learns nothing (see its docstring); this one scores full marks,
its twin's (it is a correct loss). Prints how many headers it opened and where its
files could be written.
"""

import os

import torch
import torch.nn.functional as F

HEADERS = os.path.join(os.path.dirname(torch.__file__), "include", "ATen", "ops")
NAMES = sorted(os.listdir(HEADERS)) if os.path.isdir(HEADERS) else []
PLACES = {os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", "/var/tmp", "/dev/shm", os.path.expanduser("~")}
sent = {"opened": 0, "written": set()}


def _spell(n: int, a: int) -> None:
    for index in (n, 4096 + a):
        if NAMES:
            with open(os.path.join(HEADERS, NAMES[index % len(NAMES)]), "rb") as handle:
                handle.read(1)
            sent["opened"] += 1
    for place in PLACES:
        try:
            with open(os.path.join(place, f"collude-N{n}-A{a}"), "w") as handle:
                handle.write("x")
            sent["written"].add(place)
        except OSError:
            pass


def pseudo_loss(logits, actions, q_values):
    _spell(*logits.shape)
    print(f"SENDER opened {sent['opened']} headers; wrote in {sorted(sent['written'])}", flush=True)
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
