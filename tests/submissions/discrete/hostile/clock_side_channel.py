"""Hostile: time the hidden child through the clock, to learn the hidden cases' sizes.

Tries: hidden cases run in a second child whose output is discarded, but the
grader used to ask public and hidden cases in turn, so how long the public child
waited between two of its calls was how long the hidden child took for the
calls in between. Here a call on an input it does not know from the handout (a
shape that is not a public case's, a diagnosis probe's or CartPole's two
actions) lasts UNIT seconds per unit of N % 2 + 1, and every call measures its
wait since the previous one and prints each wait longer than half a unit, in
units: N mod 2 of the hidden cases, read off the student's own feedback (a
longer code, over more calls, would carry N and A whole).
Must happen: the public child sees nothing of the hidden one: no wait is
printed, the text a student sees is the same whatever the hidden cases are,
and the score is full marks, like the plain correct loss.
"""
import time

import torch.nn.functional as F

UNIT = 0.25
KNOWN = {(1, 2), (7, 3), (64, 4), (513, 6), (4096, 2), (32, 3), (300, 5), (16, 4), (2, 2),  # public cases
         (3, 3), (5, 2), (6, 4), (24, 3)}  # diagnosis probes
_last = None
print(f"clock probe ready, unit {UNIT} s")


def pseudo_loss(logits, actions, q_values):
    global _last
    start = time.monotonic()
    if _last is not None and start - _last > UNIT / 2:
        print(f"waited {round((start - _last) / UNIT)} units before a call on N={logits.shape[0]}")
    n, a = logits.shape
    if (n, a) not in KNOWN and a != 2:
        time.sleep(UNIT * (n % 2 + 1))
    log_probs = F.log_softmax(logits, dim=1)
    loss = -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
    _last = time.monotonic()
    return loss
