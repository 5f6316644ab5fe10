"""Manifest of the submission corpus: which files are correct, which mistakes the others make.

Paths are relative to this folder. MISTAKES maps a file to the exact set of
catalog IDs (reference/discrete/mistakes.py) the diagnosis should name for it.
``broadcast`` and ``weight_after_reduction`` compute the same numbers
(-mean(log p(a)) * mean(q)); the diagnosis tells them apart by the (N, N)
intermediate tensor that only broadcasting creates.
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Tuple

CORRECT: Tuple[str, ...] = (
    "correct/log_softmax_gather.py",
    "correct/cross_entropy_none.py",
    "correct/nll_loss_on_log_softmax.py",
    "correct/categorical_log_prob.py",
    "correct/one_hot_mask.py",
    "correct/row_loop.py",
    "correct/float64_inside.py",
    "correct/logsumexp_by_hand.py",
    "correct/max_shift_by_hand.py",
    "correct/sum_divided_by_n.py",
    "correct/detached_q_dot.py",
    "correct/column_shapes.py",
    "correct/one_hot_categorical.py",
    "correct/einsum_weighting.py",
    "correct/jit_script_helper.py",
    "correct/torch_compile_decorator.py",
    "correct/torch_compile_wrapped.py",
)

MISTAKES: Dict[str, FrozenSet[str]] = {
    "mistakes/sum_over_actions_categorical_probs.py": frozenset({"sum_over_actions"}),
    "mistakes/sum_over_actions_expected_q.py": frozenset({"sum_over_actions"}),
    "mistakes/sign_flipped_cross_entropy.py": frozenset({"sign_flipped"}),
    "mistakes/no_log_nll_on_probs.py": frozenset({"no_log"}),
    "mistakes/greedy_labels_categorical_mode.py": frozenset({"greedy_labels"}),
    "mistakes/greedy_labels_argmax_probs.py": frozenset({"greedy_labels"}),
    "mistakes/unweighted_nll.py": frozenset({"unweighted"}),
    "mistakes/broadcast_column_q.py": frozenset({"broadcast"}),
    "mistakes/sum_reduction_cross_entropy.py": frozenset({"sum_reduction"}),
    "mistakes/unstable_log_manual_softmax.py": frozenset({"unstable_log"}),
    # Categorical(probs=...) clamps probabilities: finite and wrong at extreme logits, not infinite.
    "mistakes/unstable_log_categorical_probs.py": frozenset({"clamped_log_prob"}),
    "mistakes/clamped_log_prob_log_softmax.py": frozenset({"clamped_log_prob"}),
    "mistakes/not_differentiable_numpy.py": frozenset({"not_differentiable"}),
    "mistakes/not_differentiable_item.py": frozenset({"not_differentiable"}),
    "mistakes/not_scalar_per_sample.py": frozenset({"not_scalar"}),
    "mistakes/double_softmax_cross_entropy.py": frozenset({"double_softmax"}),
    "mistakes/double_softmax_categorical.py": frozenset({"double_softmax"}),
    "mistakes/two_actions_only_bce.py": frozenset({"two_actions_only"}),
    "mistakes/normalized_inside_population_std.py": frozenset({"normalized_inside"}),
    "mistakes/normalized_inside_torch_std.py": frozenset({"normalized_inside"}),
    "mistakes/normalized_inside_np_std_idiom.py": frozenset({"normalized_inside"}),
    "mistakes/mutates_inputs_actions_unsqueeze.py": frozenset({"mutates_inputs"}),
    "mistakes/mutates_inputs_logits_data.py": frozenset({"mutates_inputs"}),
    "mistakes/logits_as_logprobs_nll.py": frozenset({"logits_as_logprobs"}),
    "mistakes/logits_as_logprobs_index.py": frozenset({"logits_as_logprobs"}),
    "mistakes/wrong_softmax_dim_logsumexp.py": frozenset({"wrong_softmax_dim"}),
    "mistakes/weight_after_reduction_mean_then_q.py": frozenset({"weight_after_reduction"}),
    "mistakes/all_actions_weighted_row_mean.py": frozenset({"all_actions_weighted"}),
    # The seed's proposal as typed: a shape error unless N = A or N = 1.
    "mistakes/q_on_action_axis_beginner.py": frozenset({"q_on_action_axis"}),
    "mistakes/policy_as_labels_detached.py": frozenset({"policy_as_labels"}),
    "mistakes/policy_as_labels_attached_cross_entropy.py": frozenset({"policy_as_labels_attached"}),
    # A mistake times a free constant (q / 1000).
    "mistakes/weight_after_reduction_tanh_q.py": frozenset({"weight_after_reduction"}),
    # Two mistakes at once.
    "mistakes/combo_greedy_labels_unweighted.py": frozenset({"greedy_labels", "unweighted"}),
    "mistakes/combo_sign_flipped_sum_reduction.py": frozenset({"sign_flipped", "sum_reduction"}),
    "mistakes/combo_no_log_sign_flipped.py": frozenset({"no_log", "sign_flipped"}),
    "mistakes/combo_unweighted_sign_flipped.py": frozenset({"unweighted", "sign_flipped"}),
    "mistakes/combo_greedy_labels_sum_reduction.py": frozenset({"greedy_labels", "sum_reduction"}),
    "mistakes/combo_logits_as_logprobs_sum_reduction.py": frozenset({"logits_as_logprobs", "sum_reduction"}),
    "mistakes/combo_normalized_inside_sum_reduction.py": frozenset({"normalized_inside", "sum_reduction"}),
}

# Wrong losses no catalog entry describes, each with a phrase of the observation its feedback
# must make (grader/checks/observations.py): true, specific, with the probe that shows it.
OBSERVED: Dict[str, str] = {
    "observed/one_hot_mean.py": "your loss and its gradient are 1/A times the correct ones on all 8 test inputs",
    "observed/policy_coefficient.py": "your loss and its gradient are 0.5 times the correct ones on all 8 test inputs",
    "observed/mean_divided_by_n.py": "your loss and its gradient are 1/N times the correct ones on all 8 test inputs",
    "observed/baseline_inside.py": "for a single sample your loss is 0 and its gradient zero",
    "observed/entropy_bonus.py": "the part of your loss that is wrong does not depend on",
    "observed/value_term_added.py": "your gradient is the correct one on all 8 test inputs",
    "observed/class_weights_from_q.py": "your function gave no number on 7 of the 8 test inputs",
    "observed/gather_along_batch.py": "your function gave no number on 7 of the 8 test inputs",
    "observed/first_sample_only.py": "rows 1 and 2 of your dL/dlogits are zero where the correct one is not",
    "observed/absolute_q.py": "(exactly the rows where q < 0)",
    "observed/scale_only_normalisation.py": "for a single sample your loss is NaN",
    "observed/temperature.py": "your loss is not the correct one times a constant",
    "observed/next_action_labels.py": "your gradient singles out another action than the one taken",
}
