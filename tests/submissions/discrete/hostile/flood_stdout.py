"""Hostile: a correct loss that prints ~200 MB to stdout at import.

Tries: bury the feedback, bloat results.json, or block the child on a full pipe.
Must happen: full marks, results.json stays under 1 MB, the summary keeps the
first and last lines ("FLOOD FIRST LINE", "FLOOD LAST LINE") and says how much was cut.
"""
import sys

import torch.nn.functional as F

BAKED = {}
_LINE = "flood " + "x" * 93 + "\n"  # 100 bytes
_MB = BAKED.get("mb", 200)

print("FLOOD FIRST LINE")
_block = _LINE * 10_000  # 1 MB
for _ in range(_MB):
    sys.stdout.write(_block)
print("FLOOD LAST LINE", flush=True)


def pseudo_loss(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
