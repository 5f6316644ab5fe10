"""The mistake catalog: known wrong pseudo-losses, each with the feedback a student reads.

Every entry is an ID, a one-line title, one line on what to change, a plain-words explanation (what is wrong,
why it hurts learning, how to fix it; the diagnosis adds the numbers) and a real
wrong implementation with the student signature ``loss(logits, actions, q_values)``:

    logits    (N, A) float32, requires grad   raw policy outputs
    actions   (N,)   int64                    actions sampled from softmax(logits)
    q_values  (N,)   float32                  reward-to-go (standardised in training, not in the cases)

The correct loss is ``-(1/N) * sum_i log softmax(logits_i)[a_i] * q_i``. Each
implementation below makes exactly one mistake, runs for N >= 1 and 2 <= A <= 6
(except ``q_on_action_axis``, which raises unless N = 1 or N = A: that is its
mistake), and leaves its inputs alone (except ``mutates_inputs``).

Look-alikes the diagnosis must separate with the right probe (values are the
wrong loss's, "ref" is the correct one):

- ``broadcast`` and ``weight_after_reduction`` are the same function,
  ``-mean(log p(a)) * mean(q)``, on every input; see ``SAME_NUMBERS``.
- On standardised q (mean zero) ``sum_over_actions``, ``broadcast`` and
  ``weight_after_reduction`` all give a loss and a gradient of about zero;
  a probe with ``mean(q) != 0`` separates them (``sum_over_actions`` stays
  constant in the logits with zero gradient, the other two do not).
- Equal to ref on some inputs: ``broadcast``/``weight_after_reduction``/
  ``sum_reduction`` when N = 1; ``normalized_inside`` when q is already
  standardised; ``two_actions_only`` when A = 2; ``greedy_labels`` when every
  action is the argmax; ``unweighted`` when every q is one; ``unstable_log``
  and ``clamped_log_prob`` at ordinary logits (the first needs a logit gap
  of about a hundred, the second one beyond its clamp, and an unlikely
  action; then the first is not finite, the second finite and wrong);
  ``logits_as_logprobs`` in value (not gradient) when each row of
  logits already has logsumexp zero; ``not_differentiable``, ``not_scalar``
  (in its mean) and ``mutates_inputs`` always in value.
- At N = 1: ``wrong_softmax_dim`` and ``normalized_inside`` both give loss
  zero and gradient zero; ``not_scalar`` returns shape (1,), one element,
  so only the shape tells it apart.
"""

from __future__ import annotations

from typing import Dict, Tuple

import torch
import torch.nn.functional as F

from grader.author import Mistake


def _taken(log_probs: torch.Tensor, actions: torch.Tensor) -> torch.Tensor:
    """(N, A) per-action values -> (N,) value of the action taken in each row."""
    return log_probs.gather(-1, actions.unsqueeze(-1)).squeeze(-1)


# --- the implementations: each line that differs from the reference is the mistake ---


def _sum_over_actions(logits, actions, q_values):
    # The seed proposal: probabilities of every action times q. Softmax rows sum to one,
    # so this is mean(q) / A whatever the logits are.
    return (F.softmax(logits, dim=-1) * q_values[:, None]).mean()


def _sign_flipped(logits, actions, q_values):
    return (_taken(F.log_softmax(logits, dim=-1), actions) * q_values).mean()


def _no_log(logits, actions, q_values):
    return -(_taken(F.softmax(logits, dim=-1), actions) * q_values).mean()


def _greedy_labels(logits, actions, q_values):
    greedy = logits.argmax(dim=-1)
    return -(_taken(F.log_softmax(logits, dim=-1), greedy) * q_values).mean()


def _unweighted(logits, actions, q_values):
    return -_taken(F.log_softmax(logits, dim=-1), actions).mean()


def _broadcast(logits, actions, q_values):
    log_probs = F.log_softmax(logits, dim=-1).gather(-1, actions.unsqueeze(-1))  # (N, 1): no squeeze
    return -(log_probs * q_values).mean()  # (N, 1) * (N,) -> (N, N)


def _sum_reduction(logits, actions, q_values):
    return -(_taken(F.log_softmax(logits, dim=-1), actions) * q_values).sum()


def _unstable_log(logits, actions, q_values):
    return -(_taken(torch.log(F.softmax(logits, dim=-1)), actions) * q_values).mean()


def _clamped_log_prob(logits, actions, q_values):
    # "Guard against -inf" on log-probabilities that are already finite: below the clamp the
    # gradient is zero.
    return -(_taken(F.log_softmax(logits, dim=-1).clamp(min=-20.0), actions) * q_values).mean()


def _not_differentiable(logits, actions, q_values):
    # The right number, computed on a detached copy: nothing connects it to logits.
    return -(_taken(F.log_softmax(logits.detach(), dim=-1), actions) * q_values.detach()).mean()


def _not_scalar(logits, actions, q_values):
    return -(_taken(F.log_softmax(logits, dim=-1), actions) * q_values)


def _double_softmax(logits, actions, q_values):
    return -(_taken(F.log_softmax(F.softmax(logits, dim=-1), dim=-1), actions) * q_values).mean()


def _two_actions_only(logits, actions, q_values):
    # log p(1) = logsigmoid(l1 - l0) and log p(0) = logsigmoid(l0 - l1) hold for two actions only;
    # any action other than 1 is treated as action 0.
    margin = logits[:, 1] - logits[:, 0]
    log_probs = torch.where(actions == 1, F.logsigmoid(margin), F.logsigmoid(-margin))
    return -(log_probs * q_values).mean()


def _normalized_inside(logits, actions, q_values):
    # Population std (correction=0), so one sample gives q = 0 rather than NaN.
    q = (q_values - q_values.mean()) / (q_values.std(correction=0) + 1e-8)
    return -(_taken(F.log_softmax(logits, dim=-1), actions) * q).mean()


def _mutates_inputs(logits, actions, q_values):
    # "Stabilise" by subtracting each row's max in place: log_softmax does not mind, the caller does.
    logits.data.sub_(logits.data.max(dim=-1, keepdim=True).values)
    return -(_taken(F.log_softmax(logits, dim=-1), actions) * q_values).mean()


# Extra mistakes, each seen in real submissions of this exercise:


def _logits_as_logprobs(logits, actions, q_values):
    # "logits" read as "log-probabilities"; also what F.nll_loss(logits, actions) computes.
    return -(_taken(logits, actions) * q_values).mean()


def _wrong_softmax_dim(logits, actions, q_values):
    # dim=0 normalises across the batch; a habit carried over from 1-D code or "the first dim".
    return -(_taken(F.log_softmax(logits, dim=0), actions) * q_values).mean()


def _weight_after_reduction(logits, actions, q_values):
    # F.cross_entropy's default reduction='mean' runs before the weighting.
    return F.cross_entropy(logits, actions) * q_values.mean()


def _all_actions_weighted(logits, actions, q_values):
    # The seed proposal with log added: every action's log-probability, the actions never used.
    return -(F.log_softmax(logits, dim=-1) * q_values[:, None]).mean()


def _q_on_action_axis(logits, actions, q_values):
    # The seed proposal as typed: q (N,) against softmax (N, A) lines q up with the action axis, so
    # it raises unless N = A (then q_j weights action j in every row) or N = 1.
    return torch.mean(F.softmax(logits, dim=-1) * q_values)


def _policy_as_labels(logits, actions, q_values):
    # Cross-entropy against the policy's own (detached) probabilities: the labels equal the
    # prediction, so the value is the q-weighted entropy and the gradient p - p is exactly zero.
    return (F.cross_entropy(logits, F.softmax(logits, dim=-1).detach(), reduction="none") * q_values).mean()


def _policy_as_labels_attached(logits, actions, q_values):
    # The same without detach: the q-weighted entropy of the policy, differentiated whole.
    return (F.cross_entropy(logits, F.softmax(logits, dim=-1), reduction="none") * q_values).mean()


_FIX_LOG_PROB = (
    "`F.log_softmax(logits, dim=-1)` gathered at `actions`, or "
    '`F.cross_entropy(logits, actions, reduction="none")`, which is its negative'
)

CATALOG: Tuple[Mistake, ...] = (
    Mistake(
        "sum_over_actions",
        "Probabilities of all actions times q: the loss is a constant with zero gradient",
        "Weight the taken action's log-probability (`log_softmax` at `actions`) by q, not every action's probability.",
        "Your loss multiplies the probability of *every* action by q and averages. Softmax sums to one "
        "over the actions, so the sum of p(a)·q over actions is just q and the loss equals mean(q)/A "
        "(or mean(q) if you sum over actions): a constant that does not depend on the logits, so its "
        "gradient is zero and the policy never changes. Use the log-probability of the action that was "
        f"actually taken: {_FIX_LOG_PROB}. That loss is not always zero even though the actions were "
        "sampled from this same policy: the labels are samples, not the most likely action, and the "
        "cross-entropy −log p(a) is zero only when p(a) is one.",
        _sum_over_actions,
    ),
    Mistake(
        "sign_flipped",
        "The sign is flipped: gradient ascent on the loss",
        "Negate the loss: the pseudo-loss is −mean(log π(aᵢ|sᵢ)·qᵢ).",
        "The optimizer *minimises* the loss, and the policy gradient points towards a *higher* return, "
        "so the pseudo-loss must be minus the mean of log π(aᵢ|sᵢ)·qᵢ. With the sign flipped every step "
        "makes good actions less likely and bad ones more likely, and the return goes down. Note that "
        "`F.cross_entropy` already returns −log π(a|s): multiply it by q without adding another minus.",
        _sign_flipped,
    ),
    Mistake(
        "no_log",
        "Probabilities instead of log-probabilities",
        "Use log-probabilities, `F.log_softmax(logits, dim=-1)`, where you use probabilities.",
        "Your loss weights the probability π(aᵢ|sᵢ) by qᵢ, but the policy gradient is built from the "
        "gradient of log π(a|s). The gradient of π is π times the gradient of log π, so every sample is "
        "scaled down by the probability of the action taken: rare actions barely count and the estimate "
        "is no longer the policy gradient. Take the log: "
        f"{_FIX_LOG_PROB}. (`F.nll_loss` expects log-probabilities, not probabilities.)",
        _no_log,
    ),
    Mistake(
        "greedy_labels",
        "The most likely action (argmax) is used instead of the action that was sampled",
        "Use the `actions` argument as the labels, not the argmax of the logits.",
        "The q values belong to the actions the agent actually took, and those were *sampled* from the "
        "policy, often not its most likely action. Pairing the argmax with the q of a different action "
        "gives the wrong gradient: the update is about an action the agent may never have taken, and "
        "the actions it did try are never credited with the returns they earned. "
        "Use the `actions` argument as the labels; sampling is also why the loss is not zero, because "
        "−log π(a|s) is zero only when π(a|s) is one.",
        _greedy_labels,
    ),
    Mistake(
        "unweighted",
        "The q values are ignored",
        "Multiply each sample's −log π(aᵢ|sᵢ) by its own qᵢ before averaging.",
        "Your loss is the plain cross-entropy of the sampled actions: it makes every action that was "
        "taken more likely, good or bad alike, which imitates past behaviour instead of reinforcing good "
        "behaviour. The q value of each sample is what tells the gradient which actions to encourage and "
        "which to discourage. Multiply each sample's −log π(aᵢ|sᵢ) by its own qᵢ before averaging.",
        _unweighted,
    ),
    Mistake(
        "broadcast",
        "Shapes (N, 1) and (N,) broadcast into an N × N matrix",
        "Make both factors shape (N,) before multiplying them, e.g. `.squeeze(-1)` after `gather`.",
        "Your per-sample log-probabilities have shape `(N, 1)` while q has shape `(N,)` (or the other "
        "way round), and broadcasting multiplies them into an `N × N` matrix that pairs every sample's "
        "log-probability with every other sample's q. Its mean is −mean(log π)·mean(q): each sample is "
        "weighted by the batch's average q instead of its own, and with standardised q that average is "
        "about zero, so the gradient all but vanishes. Make both shapes `(N,)`, for example with "
        "`.squeeze(-1)` after `gather`, and check the shape of the product before taking the mean.",
        _broadcast,
    ),
    Mistake(
        "sum_reduction",
        "Sum over the batch instead of the mean",
        "Average over the batch with `.mean()` instead of `.sum()`.",
        "Your loss sums the per-sample terms instead of averaging them, so its value and its gradient "
        "grow with the batch size. The effective learning rate then depends on how many samples you "
        "collected, and large batches take steps big enough to wreck the policy. Use `.mean()`, or "
        "divide the sum by the number of samples.",
        _sum_reduction,
    ),
    Mistake(
        "unstable_log",
        "`log(softmax(x))` underflows at large logits: the loss becomes infinite or NaN",
        "Compute `F.log_softmax(logits, dim=-1)` directly instead of the log of `softmax`.",
        "You compute probabilities first and take their log afterwards. When one logit is much larger "
        "than another, softmax rounds the small probability to exactly zero and its log is −∞ (and `exp` "
        "of a large raw logit overflows to infinity): the loss becomes infinite or NaN, and one NaN "
        "gradient destroys the network's weights. Compute log-probabilities directly with "
        "`F.log_softmax(logits, dim=-1)`, `F.cross_entropy` or `Categorical(logits=...)`, which use the "
        "log-sum-exp trick and stay accurate for any logits.",
        _unstable_log,
    ),
    Mistake(
        "clamped_log_prob",
        "Clamped log-probabilities: right at ordinary logits, finite but wrong at extreme ones",
        "Drop the clamp or epsilon, and compute log-probabilities with `F.log_softmax` or `Categorical(logits=...)`.",
        "Your loss is right for ordinary logits, but where an action is very unlikely it is finite and "
        "wrong: the log-probability, or the probability before its log, is clamped, by `.clamp(min=...)`, "
        "by adding an epsilon, or by `Categorical(probs=...)`, which clamps probabilities to the float "
        "epsilon. Where the clamp holds, the loss no longer changes with the logits, so its gradient is "
        "zero (or nearly so) exactly for the unlikely actions, and an unlikely action that earned a high "
        "return is never made more likely. If you already use `F.log_softmax` or `F.cross_entropy`, drop "
        "the clamp: they are finite for any logits. If you take the log of probabilities, compute "
        "log-probabilities directly with `F.log_softmax(logits, dim=-1)` or `Categorical(logits=...)`.",
        _clamped_log_prob,
    ),
    Mistake(
        "not_differentiable",
        "The loss is not connected to the logits: no gradient flows",
        "Compute the loss with torch operations on `logits` itself: no `.detach()`, `.item()`, NumPy or new tensors.",
        "Your loss is computed outside autograd (through NumPy, `.item()`, `.detach()` or a new "
        "`torch.tensor(...)`), so PyTorch cannot trace it back to the logits: `backward()` fails, or "
        "succeeds and leaves the network's gradients empty. The value may be right, but the policy "
        "never learns. Keep every step a torch operation on `logits` itself and return that tensor; "
        "setting `requires_grad=True` on a new tensor does not reconnect it.",
        _not_differentiable,
    ),
    Mistake(
        "not_scalar",
        "The loss is not a 0-dim tensor (a single number)",
        "Reduce to a 0-dim tensor: `.mean()` of the per-sample terms without `keepdim`, or `.squeeze()`.",
        "Your function returns a tensor that is not zero-dimensional: one entry per sample, or a shape "
        "such as `(1,)`. With more than one entry, `backward()` raises an error unless you hand it a "
        "gradient; a one-element tensor of shape `(1,)` does backpropagate, but it is still not the scalar "
        "the interface asks for. Average the per-sample terms with `.mean()` (without `keepdim=True`), or "
        "`.squeeze()` a one-element result, so that its shape is `()`.",
        _not_scalar,
    ),
    Mistake(
        "double_softmax",
        "Softmax is applied twice",
        "Pass the raw logits, not `softmax(logits)`, to `F.log_softmax`, `F.cross_entropy` or `Categorical(logits=...)`.",
        "Your code turns the logits into probabilities and then passes them to something that expects "
        "logits (`F.log_softmax`, `F.cross_entropy`, `Categorical(logits=...)`), which normalises them "
        "a second time. Probabilities all lie between zero and one, so the second softmax is nearly "
        "flat: the log-probabilities are wrong and the gradient is much too small, and learning crawls "
        "or stalls. Pass the raw logits straight to `F.cross_entropy`, `F.log_softmax` or "
        "`Categorical(logits=...)`.",
        _double_softmax,
    ),
    Mistake(
        "two_actions_only",
        "A two-action shortcut (log-sigmoid of a logit difference) used with more actions",
        "Replace the log-sigmoid of a logit difference with `F.log_softmax(logits, dim=-1)` gathered at `actions`.",
        "You compute log π(a|s) from the difference of the first two logits, with a log-sigmoid or a "
        "binary cross-entropy. That identity holds only when there are exactly two actions; with more, "
        "the other actions' logits are ignored and actions beyond the second are mislabelled, so the "
        "value and the gradient are wrong. Use `F.log_softmax(logits, dim=-1)` gathered at the actions, "
        "which is right for any number of actions.",
        _two_actions_only,
    ),
    Mistake(
        "normalized_inside",
        "q is standardised inside the loss",
        "Use `q_values` as given: remove the subtraction of their mean and the division by their std.",
        "Your loss subtracts the mean of q and divides by its standard deviation before weighting. "
        "Normalising the returns is the caller's job (the training loop that calls your loss does it; "
        "the grader's test inputs are not standardised), and doing "
        "it inside the loss changes the result whenever q is not already standardised; for a single "
        "sample it turns q into zero or NaN. Use `q_values` as they are given.",
        _normalized_inside,
    ),
    Mistake(
        "mutates_inputs",
        "The inputs are modified in place",
        "Work on new tensors: `x = x - m` rather than `x -= m`, no `.data`, no methods ending in `_`.",
        "Your function changes the tensors it was given (for example `logits.data -= ...`, "
        "`q_values.sub_(...)` or `actions.unsqueeze_(...)`). The caller still uses them afterwards, to "
        "log, to compute other losses or to call your function again, so the same batch gives a "
        "different answer the second time and bugs appear far from their cause; on `logits`, which requires "
        "grad, torch refuses the change and raises instead. Work on new tensors: "
        "`x = x - m` instead of `x -= m`, no `.data`, no methods ending in an underscore.",
        _mutates_inputs,
    ),
    Mistake(
        "logits_as_logprobs",
        "Raw logits are used as log-probabilities",
        "Turn the logits into log-probabilities with `F.log_softmax(logits, dim=-1)` before picking the action's.",
        "Your loss treats the network's raw outputs as if they were log π(a|s), but logits become "
        "log-probabilities only after `log_softmax` subtracts their log-sum-exp over the actions. "
        "Without it, the gradient moves only the logit of the action taken and never the others, so "
        "the logits drift without bound instead of probability moving between actions. Use "
        f"{_FIX_LOG_PROB}; `F.nll_loss` expects log-probabilities, not logits.",
        _logits_as_logprobs,
    ),
    Mistake(
        "wrong_softmax_dim",
        "Softmax over the batch (dim=0) instead of over the actions",
        "Normalise over the actions: `F.log_softmax(logits, dim=-1)`, not `dim=0`.",
        "Your log-softmax normalises along the first dimension, across the samples of the batch, "
        "instead of across the actions of each sample. Each state's action probabilities then depend on "
        "the other states in the batch and do not sum to one, so the loss and its gradient are wrong; "
        "with a single sample the loss is always zero. Normalise over the last dimension: "
        "`F.log_softmax(logits, dim=-1)`.",
        _wrong_softmax_dim,
    ),
    Mistake(
        "weight_after_reduction",
        "The loss is averaged before it is weighted by q",
        'Weight each sample before averaging: `(F.cross_entropy(logits, actions, reduction="none") * q_values).mean()`.',
        "Your loss averages the cross-entropy over the batch first and multiplies by q (or its mean) "
        "afterwards, so every sample is weighted by the batch's average q instead of its own. Which "
        "actions were good is lost, and with standardised q the average is about zero, so the gradient "
        'all but vanishes. Ask `F.cross_entropy` for `reduction="none"`, multiply the per-sample '
        "values by q, then take the mean.",
        _weight_after_reduction,
    ),
    Mistake(
        "all_actions_weighted",
        "Every action's log-probability is weighted by q, not the action taken",
        "Gather the taken action's log-probability (`.gather(-1, actions.unsqueeze(-1))`) before weighting by q.",
        "Your loss averages log π(a|s)·q over *all* actions instead of picking the one that was taken, "
        "so the `actions` argument has no effect. The gradient then pushes each state's policy towards "
        "uniform when q is positive and away from uniform when q is negative, whatever the agent did. "
        "Gather the log-probability of the sampled action (`.gather(-1, actions.unsqueeze(-1))`) "
        "before weighting by q.",
        _all_actions_weighted,
    ),
    Mistake(
        "q_on_action_axis",
        "q of shape (N,) multiplied into softmax of shape (N, A): it lines up with the actions",
        "Replace `softmax(logits) * q_values` with the taken action's log-probability times q, averaged and negated.",
        "Your loss multiplies `softmax(logits)`, of shape `(N, A)`, by `q_values`, of shape `(N,)`. "
        "Broadcasting lines shapes up from the right, so q is paired with the *action* axis: that is an "
        "error whenever N differs from A, and when N equals A (as in a small square example) it silently "
        "weights action j by the q of sample j, which is why a gradient can appear there. Broadcast as "
        "meant (`q_values[:, None]`), this is the sum over actions of p(a)·q, which is q: the loss is "
        "mean(q)/A, a constant with zero gradient. Use the log-probability of the action that was taken: "
        f"{_FIX_LOG_PROB}.",
        _q_on_action_axis,
        meant="sum_over_actions",
    ),
    Mistake(
        "policy_as_labels",
        "Cross-entropy against the policy's own probabilities: its gradient is zero",
        "Use `actions` as the labels of the cross-entropy, not the policy's own detached probabilities.",
        "Your loss is the cross-entropy of the policy with its own probabilities as labels. Those labels "
        "equal the prediction, so the cross-entropy is the policy's entropy and its gradient, the "
        "prediction minus the labels, is zero (up to rounding): for this loss the worry that the pseudo-loss is "
        "always zero is right, and the policy never changes. The sampled actions are different labels: "
        "a sample is one action, a one-hot label, not the probabilities, so −log p(a) and its gradient "
        f"p − onehot(a) are not zero. Use the actions as labels: {_FIX_LOG_PROB}.",
        _policy_as_labels,
    ),
    Mistake(
        "policy_as_labels_attached",
        "Cross-entropy against the policy's own probabilities (not detached): a q-weighted entropy",
        "Use `actions` as the labels of the cross-entropy, not `softmax(logits)`.",
        "Your loss is the cross-entropy of the policy with its own probabilities as labels, which is the "
        "entropy of the policy weighted by q. It never looks at the actions, so its gradient only makes "
        "each state's policy more or less random according to q, whatever the agent did. The sampled "
        "actions are the labels the pseudo-loss needs: a sample is one action, a one-hot label, so "
        f"−log p(a) and its gradient p − onehot(a) say which action to reinforce. Use {_FIX_LOG_PROB}.",
        _policy_as_labels_attached,
    ),
)

# Groups of IDs whose implementations give the same value and gradient on every input:
# no probe separates them, so a match with one is a match with all of the group.
# broadcast: -(1/N^2) sum_ij log p_i q_j = -mean(log p) * mean(q) = weight_after_reduction.
SAME_NUMBERS: Tuple[frozenset, ...] = (frozenset({"broadcast", "weight_after_reduction"}),)

_BY_ID: Dict[str, Mistake] = {m.id: m for m in CATALOG}


def by_id(mistake_id: str) -> Mistake:
    """The catalog entry with this ID; KeyError naming the known IDs otherwise."""
    try:
        return _BY_ID[mistake_id]
    except KeyError:
        raise KeyError(f"unknown mistake {mistake_id!r}; known: {', '.join(_BY_ID)}") from None
