"""Manifest of the Gaussian exercise's submission corpus: correct variants and the mistakes of the others.

Paths are relative to this folder. MISTAKES maps a file to the exact set of
catalog IDs (reference/gaussian/mistakes.py) the diagnosis names for it.
``mean_over_dims`` and ``per_dimension_weighted`` compute the same numbers (the
reference divided by D) with no intermediate that tells them apart, so the
diagnosis names both for either file and says that it cannot tell which.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

CORRECT: Tuple[str, ...] = (
    "correct/normal_log_prob_sum.py",
    "correct/independent_normal.py",
    "correct/mvn_scale_tril.py",
    "correct/mvn_covariance.py",
    "correct/by_hand_variance.py",
    "correct/float64_inside.py",
    "correct/row_loops.py",
    "correct/einsum_weighting.py",
)

_PER_D = frozenset({"mean_over_dims", "per_dimension_weighted"})

MISTAKES: Dict[str, FrozenSet[str]] = {
    "mistakes/sign_flipped_normal.py": frozenset({"sign_flipped"}),
    "mistakes/mean_over_dims_normal.py": _PER_D,
    "mistakes/per_dimension_weighted_unsqueeze.py": _PER_D,
    "mistakes/log_std_as_std_normal.py": frozenset({"log_std_as_std"}),
    "mistakes/variance_as_scale_normal.py": frozenset({"variance_as_scale"}),
    "mistakes/mse_regression_weighted.py": frozenset({"mse_regression"}),
    "mistakes/mse_regression_half_mean.py": frozenset({"mse_regression"}),
    "mistakes/log_std_detached_normal.py": frozenset({"log_std_detached"}),
    "mistakes/dropped_log_std_term_by_hand.py": frozenset({"dropped_log_std_term"}),
    "mistakes/unweighted_nll.py": frozenset({"unweighted"}),
    "mistakes/sum_reduction_normal.py": frozenset({"sum_reduction"}),
    "mistakes/normalized_inside_torch_std.py": frozenset({"normalized_inside"}),
    "mistakes/resampled_actions_rsample.py": frozenset({"resampled_actions"}),
    "mistakes/no_log_density.py": frozenset({"no_log"}),
    "mistakes/dropped_constant_by_hand.py": frozenset({"dropped_constant"}),
    "mistakes/unstable_log_density.py": frozenset({"unstable_log"}),
    "mistakes/broadcast_keepdim.py": frozenset({"broadcast"}),
    "mistakes/not_differentiable_numpy.py": frozenset({"not_differentiable"}),
    "mistakes/mutates_inputs_centre.py": frozenset({"mutates_inputs"}),
    # torch refuses an in-place change of log_std, which requires grad: every call raises.
    "mistakes/mutates_inputs_clamp_in_place.py": frozenset({"mutates_inputs"}),
    # F.gaussian_nll_loss clamps the variance at 1e-6: right on every case but those of a std below 1e-3.
    "mistakes/clamped_variance_gaussian_nll.py": frozenset({"clamped_variance"}),
    # Two mistakes at once.
    "mistakes/combo_sign_flipped_sum_reduction.py": frozenset({"sign_flipped", "sum_reduction"}),
    "mistakes/combo_mean_over_dims_sum_reduction.py": _PER_D | {"sum_reduction"},
}
