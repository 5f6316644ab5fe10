"""Hostile: a correct loss with a background thread that prints forever, also after each call returned.

Tries: keep the output pipe full and the grader's reader busy while answers
are exchanged, and after the grading is over.
Must happen: full marks (same as the plain loss), the printed output is
capped, the grade finishes promptly, nothing is left running.
"""
import sys
import threading
import time

import torch.nn.functional as F


def _chatter():
    number = 0
    while True:
        number += 1
        sys.stdout.write(f"background line {number}\n")
        if number % 100 == 0:
            sys.stdout.flush()
            time.sleep(0.001)


threading.Thread(target=_chatter, daemon=True).start()


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
