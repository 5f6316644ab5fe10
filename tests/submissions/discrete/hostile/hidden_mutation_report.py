"""Hostile: change an input in place on hidden cases only, choosing which by the hidden N.

Tries: the purity feedback said which input a call modified, and on which case.
On an input it does not know from the handout (a shape that is not a public
case's or a diagnosis probe's) it computes the right loss, then modifies
`logits` in place when N is odd and `q_values` when N is even: the names in the
feedback would spell N mod 2 of a hidden case.
Must happen: the purity check fails, and says only how many hidden cases
modified an input, never which input or which case: the feedback is the same
whatever the hidden cases are; every other check passes.
"""
import torch
import torch.nn.functional as F

KNOWN = {(1, 2), (7, 3), (64, 4), (513, 6), (4096, 2), (32, 3), (300, 5), (16, 4), (2, 2),  # public cases
         (3, 3), (5, 2), (6, 4), (24, 3)}  # diagnosis probes


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)  # saves its output, not logits: backward still works
    loss = -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values.clone()).mean()
    n, a = logits.shape
    if (n, a) not in KNOWN and a != 2:
        with torch.no_grad():
            (logits if n % 2 else q_values).add_(1.0)
    return loss
