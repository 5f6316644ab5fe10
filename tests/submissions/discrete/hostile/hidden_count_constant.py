"""Hostile: read back how many hidden cases meet a predicate through why a constant earns nothing.

Tries: a loss that does not depend on `logits` is told why it earns nothing, and that text once
said on how many cases, public and hidden, the function gave a value. This constant loss raises
on an input it does not know from the handout (a shape that is not a public case's or a
diagnosis probe's, with more than CartPole's two actions) whose N is odd: the count would say how
many hidden N are odd.
Must happen: score 0, every test says why from the public cases alone, and what the student sees
is the same whatever the hidden cases are; the counts reach extra_data only.
"""

KNOWN = {(1, 2), (7, 3), (64, 4), (513, 6), (4096, 2), (32, 3), (300, 5), (16, 4), (2, 2),  # public cases
         (3, 3), (5, 2), (6, 4), (24, 3)}  # diagnosis probes


def pseudo_loss(logits, actions, q_values):
    n, a = logits.shape
    if (n, a) not in KNOWN and a != 2 and n % 2:
        raise ValueError("odd")
    return logits.sum() * 0
