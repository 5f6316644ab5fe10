"""Hostile: read back, from the feedback, how many hidden cases meet a predicate of its choosing.

Tries: the feedback counted the failing hidden cases ("k of M hidden cases fail"). On an input
it does not know from the handout (a shape that is not a public case's or a diagnosis probe's,
with more than CartPole's two actions) whose N is odd, it returns the loss with its sign flipped
and modifies `q_values` in place: the counts of the value, gradient and purity checks would
say how many hidden N are odd, and with resubmissions a binary search would read every hidden
shape, one predicate at a time.
Must happen: those checks fail, and what the student sees (every test's feedback, the summary,
the scores, the feedback file) says only that some hidden case failed, and is the same whatever
the hidden cases are; the counts and the failing cases reach extra_data only.
"""
import torch
import torch.nn.functional as F

KNOWN = {(1, 2), (7, 3), (64, 4), (513, 6), (4096, 2), (32, 3), (300, 5), (16, 4), (2, 2),  # public cases
         (3, 3), (5, 2), (6, 4), (24, 3)}  # diagnosis probes


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    loss = -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values.clone()).mean()
    n, a = logits.shape
    if (n, a) in KNOWN or a == 2 or n % 2 == 0:
        return loss
    with torch.no_grad():
        q_values.add_(1.0)
    return -loss
