"""Manifest of the reinforce exercise's corpus: whole homework files (the returns' three functions
and pseudo_loss in one upload). The parts' own mistakes are covered by the returns and discrete
corpora; these show each part graded as its own exercise grades it, in one upload.

Paths are relative to this folder. MISTAKES maps a file to the exact set of catalog IDs the
diagnosis names for it, each in its own part. careless/only_the_loss.py (no returns) is graded by
tests/exercises/test_reinforce.py; hostile/ (one part killing its process, hanging, eating memory,
sharing a global, printing) by tests/exercises/test_reinforce_hostile.py, listed in no manifest
here, as no corpus lists its hostile files.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

CORRECT: Tuple[str, ...] = (
    "correct/homework_loops.py",  # loops, a helper and a constant of the student's own, Categorical
    "correct/torch_everywhere.py",  # torch tensors for the returns, cross_entropy for the loss
)

MISTAKES: Dict[str, FrozenSet[str]] = {
    "mistakes/rtg_forward_loss_right.py": frozenset({"accumulated_forward"}),
    "mistakes/returns_right_loss_sign.py": frozenset({"sign_flipped"}),
    # One mistake in each of two parts: each names its own, the other two parts keep their points.
    "mistakes/gae_across_and_sum_reduction.py": frozenset({"sum_runs_across_trajectories", "sum_reduction"}),
}
