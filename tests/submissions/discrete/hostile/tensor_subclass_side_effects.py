"""Hostile: return a correct loss as a torch.Tensor subclass whose hooks run code.

Tries: __reduce__ / __reduce_ex__ (run if the grader pickles or torch.saves
the result), __del__ (run wherever the object dies) and __torch_function__
(run on every torch operation the grader applies to it) each write a marker
file into the directories baked into BAKED["dirs"] and next to the grader,
hoping to run code in the grader's process.
Must happen: the marker never appears outside the child (the grader only
receives numbers and never unpickles); the grade is what the numbers say:
full marks, since the values are correct.
"""
import os
import sys

import torch
import torch.nn.functional as F

BAKED = {}


def _mark(tag):
    dirs = list(BAKED.get("dirs", ())) + ["/tmp"]
    grader = sys.modules.get("grader")
    if grader is not None and getattr(grader, "__file__", None):
        dirs.append(os.path.dirname(os.path.abspath(grader.__file__)))
    for directory in dirs:
        try:
            with open(os.path.join(directory, f"hostile-marker-{tag}"), "w") as handle:
                handle.write(f"{tag} ran in pid {os.getpid()} as uid {os.getuid()}\n")
        except OSError:
            pass


def _evil_reducer():
    _mark("unpickled")
    return torch.zeros(())


class Sneaky(torch.Tensor):
    def __reduce_ex__(self, protocol):
        _mark("reduce_ex")
        return (_evil_reducer, ())

    def __reduce__(self):
        _mark("reduce")
        return (_evil_reducer, ())

    def __del__(self):
        _mark("del")

    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        _mark("torch_function")
        return super().__torch_function__(func, types, args, kwargs or {})


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    loss = -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
    return loss.as_subclass(Sneaky)
