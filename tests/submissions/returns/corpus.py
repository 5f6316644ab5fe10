"""Manifest of the returns exercise's submission corpus: correct forms, each catalog mistake, careless uploads.

Paths are relative to this folder. Every file defines the three functions (but
``careless/missing_gae.py``). MISTAKES maps a file to the exact set of catalog
IDs (reference/returns/mistakes.py) the diagnosis names for it; each such file
has its mistake in one part and the other two parts right, so only that part
loses points (the combo file has one in each of two parts). CARELESS maps a file to each part's expected score, and SAYS to
what the feedback of the part that loses points must say. SLOW maps a file whose numbers are right but
whose time is past the speed check's budget to each part's score.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

CORRECT: Tuple[str, ...] = (
    "correct/python_loops.py",  # the definitions as written, a quadratic loop for the reward-to-go
    "correct/cumsum_flip.py",  # flipped cumsum of gamma^t r_t divided by gamma^t (gamma = 0 set apart)
    "correct/discount_matrix.py",  # a T x T matrix of gamma^(t' - t), GAE per trajectory through it
    "correct/lfilter_discount_cumsum.py",  # scipy.signal.lfilter, GAE per trajectory through it
    "correct/torch_tensors.py",  # float64 torch tensors returned
    "correct/lists_returned.py",  # Python lists returned
    "correct/float32_accumulation.py",  # every sum accumulated in float32
    "correct/vectorised_gae_split.py",  # np.split at the terminals, a discount matrix per piece
    "correct/reversed_running_sum.py",  # rtg[t] += gamma * rtg[t + 1] on a copy; values padded with a 0
    "speed/triangle_matrix.py",  # np.triu of T x T discounts: quadratic time, said, but within the budget
    "careless/hw2_returns.ipynb",  # a notebook: the three functions among prints, a plot and `!pip`
)

MISTAKES: Dict[str, FrozenSet[str]] = {
    "mistakes/return_not_discounted_sum.py": frozenset({"return_not_discounted"}),
    "mistakes/return_is_reward_to_go_loop.py": frozenset({"return_is_reward_to_go"}),
    "mistakes/discount_starts_at_gamma_arange.py": frozenset({"discount_starts_at_gamma"}),
    "mistakes/exponent_t_prime_docstring.py": frozenset({"exponent_t_prime_not_t_prime_minus_t"}),
    "mistakes/first_return_everywhere_reinforce.py": frozenset({"first_return_everywhere"}),
    "mistakes/sum_not_accumulated_plus.py": frozenset({"sum_not_accumulated"}),
    "mistakes/accumulated_forward_loop.py": frozenset({"accumulated_forward"}),
    "mistakes/reward_to_go_not_discounted_cumsum.py": frozenset({"reward_to_go_not_discounted"}),
    "mistakes/bootstraps_across_trajectories.py": frozenset({"bootstraps_across_trajectories"}),
    "mistakes/sum_runs_across_trajectories.py": frozenset({"sum_runs_across_trajectories"}),
    "mistakes/terminals_ignored_one_trajectory.py": frozenset({"terminals_ignored"}),
    "mistakes/value_not_subtracted.py": frozenset({"value_not_subtracted"}),
    "mistakes/lambda_and_gamma_swapped.py": frozenset({"lambda_and_gamma_swapped"}),
    "mistakes/lambda_ignored_deltas_only.py": frozenset({"lambda_ignored"}),
    "mistakes/advantages_normalized_eps.py": frozenset({"advantages_normalized"}),
    # One mistake in each of two parts: each part names its own, the third keeps its points.
    "mistakes/combo_undiscounted_return_and_bootstrap.py": frozenset(
        {"return_not_discounted", "bootstraps_across_trajectories"}
    ),
}

# Without the learning check (the tests grade with learning=False).
_FULL = {"discounted_return": 25.0, "discounted_reward_to_go": 30.0, "gae_advantages": 45.0}

CARELESS: Dict[str, Dict[str, float]] = {
    # np.zeros_like of an int copy of the rewards: every sum truncated; only purity and speed hold
    "careless/int_rewards_zeros_like.py": {**_FULL, "discounted_reward_to_go": 10.0},
    # one float, not one per step: only purity and speed hold
    "careless/return_python_float.py": {**_FULL, "discounted_return": 5.0},
    # right numbers, written into the caller's rewards: purity lost, nothing else
    "careless/inplace_reversed_cumsum.py": {**_FULL, "discounted_reward_to_go": 25.0},
    # no gae_advantages at all: that part 0, the other two graded
    "careless/missing_gae.py": {**_FULL, "gae_advantages": 0.0},
    # the reward-to-go computed, never returned: None earns nothing, purity and speed included
    "careless/forgot_return.py": {**_FULL, "discounted_reward_to_go": 0.0},
}

# Right numbers, too slow: GAE as a loop inside a loop (np.power for every term) takes about 3.5 s of CPU on
# one trajectory of 2048 steps, past the 1.5 s budget (or past the call's 5 s timeout on a busy machine).
SLOW: Dict[str, Dict[str, float]] = {
    "speed/quadratic_gae_loops.py": {**_FULL, "gae_advantages": 40.0},
    # the same, its clock stopped at zero: the kernel's count of its CPU time is what is judged
    "speed/forged_clock_quadratic_gae.py": {**_FULL, "gae_advantages": 40.0},
    # the same, run in a thread of its own while the calling thread waits: every thread's time counts
    "speed/threaded_quadratic_gae.py": {**_FULL, "gae_advantages": 40.0},
}

SAYS: Dict[str, str] = {
    "careless/int_rewards_zeros_like.py": "returned `int64` numbers; discounted sums have fractions",
    "careless/return_python_float.py": "returned shape (), a single number where every step needs its own",
    "careless/inplace_reversed_cumsum.py": "the function modified `rewards` in place",
    "careless/missing_gae.py": "the submission has no function named `gae_advantages`",
    "careless/forgot_return.py": "returned `None` (is a `return` missing?)",
}
