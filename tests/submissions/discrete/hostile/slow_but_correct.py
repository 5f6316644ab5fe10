"""Hostile (or just slow): a correct loss that sleeps 0.3 s in every call.

Tries: stay under the per-call timeout forever, so the whole grade takes
calls x 0.3 s (with a long CartPole run: hours).
Must happen: the submission's total budget stops it: the calls past the
budget are skipped with a message naming the budget, so the grade finishes
in about the budget, scoring less than the plain loss.
"""
import time

import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    time.sleep(0.3)
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
