"""Truthful feedback: a NaN loss whose gradient changes from call to call.

F.dropout defaults to training=True, so the logits are masked at random on
every call; the spread term `0.0 * q_values.std()` is NaN for a single sample
(the first public case has N = 1), which makes the loss NaN while its gradient
(the spread has none with respect to the logits) stays finite. Must happen:
purity fails saying the loss was the same (nan) both times and which gradient
entry differed, never "losses nan and nan" as if NaN differed from NaN.
"""

import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    log_p = F.log_softmax(F.dropout(logits, p=0.5), dim=-1)
    taken = log_p.gather(1, actions.unsqueeze(1)).squeeze(1)
    return -(taken * q_values).mean() + 0.0 * q_values.std()
