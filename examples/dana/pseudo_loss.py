"""Example: a folder submission with a helper module, and the exercise's classic mistake
`sum_over_actions`: mean(softmax(logits) * q). Softmax sums to one over the actions, so this
equals mean(q) / A, a constant whose gradient is zero."""
from policy_utils import action_probabilities


def pseudo_loss(logits, actions, q_values):
    probs = action_probabilities(logits)        # (N, A)
    return -(probs * q_values[:, None]).mean()  # the sampled actions are never used
