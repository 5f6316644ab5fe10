"""Hostile: return a tensor subclass that raises when the grader reads it.

Tries: the loss is a Tensor subclass whose __torch_function__ raises on
detach() (which the grader's child code uses to read the value after the
function returned, outside the try block around the call), so the child's own
code crashes instead of reporting an error of the submission; it hopes for a
grader crash or confusing feedback.
Must happen: the grader reads the result with torch's own functions (torch
function handling off), so the correct numbers get full marks; no grader fault,
no claim that the submission called exit(), no internal traceback shown.
"""
import torch
import torch.nn.functional as F


class Unreadable(torch.Tensor):
    @classmethod
    def __torch_function__(cls, func, types, args=(), kwargs=None):
        if getattr(func, "__name__", "") == "detach":
            raise RuntimeError("this tensor cannot be read")
        return super().__torch_function__(func, types, args, kwargs or {})


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    loss = -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
    return loss.as_subclass(Unreadable)
