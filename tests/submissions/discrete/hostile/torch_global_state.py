"""Hostile (or careless): a correct loss whose module changes torch's global state at import.

Tries: float64 default dtype, a fixed seed, autograd disabled globally,
anomaly detection, 8 intra-op threads, a default device, deterministic
algorithms, flush-denormal, numpy errors raised, warnings turned into errors,
torch.autograd.grad / Tensor.backward / torch.tensor / torch.enable_grad /
F.cross_entropy replaced by things that return nonsense (used by nothing here),
hoping to break how the grader measures the answer.
Must happen: full marks, exactly like the same loss without these lines.
"""
import warnings

import numpy as np
import torch
import torch.nn.functional as F

_log_softmax = F.log_softmax  # keep what the loss itself needs

torch.set_default_dtype(torch.float64)
torch.manual_seed(1234)
torch.set_grad_enabled(False)
torch.autograd.set_detect_anomaly(True)
torch.set_num_threads(8)
torch.set_default_device("cpu")
torch.use_deterministic_algorithms(True)
torch.set_flush_denormal(True)
np.seterr(all="raise")
warnings.simplefilter("error")


def _nonsense(*args, **kwargs):
    raise RuntimeError("patched by the submission")


F.cross_entropy = lambda *args, **kwargs: torch.zeros(())
torch.autograd.grad = _nonsense
torch.Tensor.backward = _nonsense
torch.tensor = _nonsense
torch.enable_grad = _nonsense


def pseudo_loss(logits, actions, q_values):
    log_probs = _log_softmax(logits, dim=1)
    taken = log_probs.gather(1, actions.view(-1, 1)).view(-1)
    return -(taken * q_values).mean()
