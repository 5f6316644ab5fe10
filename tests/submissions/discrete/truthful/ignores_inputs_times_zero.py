"""Truthful feedback: a loss that ignores its inputs, `logits.sum() * 0.0` (a placeholder left in).

It is 0 for every input (-0 where the logits sum below zero) and its gradient
is exactly zero. Must happen: 0 points (a loss that cannot train earns none,
not even for the interface and purity); no catalog mistake named (the
combination sum_over_actions + normalized_inside also gives 0, but the simpler
truth is what feedback says); "-0" printed nowhere.
"""


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0.0
