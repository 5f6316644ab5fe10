"""Hostile: a correct loss that writes ~200 MB to stderr at import.

Tries: the same as flood_stdout.py, through sys.stderr (unbuffered in some setups).
Must happen: full marks, results.json < 1 MB, first and last lines kept, the cut announced.
"""
import sys

import torch.nn.functional as F

BAKED = {}
_MB = BAKED.get("mb", 200)

sys.stderr.write("FLOOD FIRST LINE\n")
_block = ("flood " + "y" * 93 + "\n") * 10_000
for _ in range(_MB):
    sys.stderr.write(_block)
sys.stderr.write("FLOOD LAST LINE\n")
sys.stderr.flush()


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
