"""The policy-gradient pseudo-loss: your implementation goes in `pseudo_loss` below.

Check it with `python selfcheck.py` (public cases, runs in seconds). The grader
also uses hidden cases and trains a CartPole-v1 policy with your loss.
"""

import torch
import torch.nn.functional as F  # noqa: F401  (you will probably want it)


def pseudo_loss(logits: torch.Tensor, actions: torch.Tensor, q_values: torch.Tensor) -> torch.Tensor:
    """Minus the policy gradient objective, as a loss whose gradient is the policy gradient.

    ========  ==========  =======  ===========================================================
    Symbol    Shape       Dtype    Meaning
    ========  ==========  =======  ===========================================================
    logits    (N, A)      float32  raw policy outputs for N states and A actions; requires_grad
    actions   (N,)        int64    the action taken in each state, *sampled* from
                                   softmax(logits) (not the most likely action)
    q_values  (N,)        float32  reward-to-go of each sample (the training loop standardises
                                   it; test inputs need not be); constants: no gradient flows to them
    returns   ()          float    a 0-dim tensor L = -(1/N) * sum_i log pi(a_i | s_i) * q_i
    ========  ==========  =======  ===========================================================

    Minimising L by gradient descent follows the policy gradient: dL/dlogits is minus
    the usual estimate (1/N) * sum_i grad log pi(a_i | s_i) * q_i. Do not modify the
    inputs in place, do not leave autograd (no numpy, no .item()), and stay finite for
    logits as large as +-1000.
    """
    raise NotImplementedError("implement pseudo_loss")
