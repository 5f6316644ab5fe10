"""The mistake catalog of the Gaussian pseudo-loss: known wrong losses and the feedback a student reads.

Every entry is an ID, a one-line title, one line on what to change, a plain-words explanation (the diagnosis
adds the numbers) and a real wrong implementation with the student signature
``loss(mean, log_std, actions, q_values)``:

    mean      (N, D) float32, requires grad   the policy's mean action per state
    log_std   (D,)   float32, requires grad   log standard deviation, shared by all states
    actions   (N, D) float32                  sampled from Normal(mean, exp(log_std))
    q_values  (N,)   float32                  reward-to-go estimates

The correct loss is ``-(1/N) sum_i q_i sum_d [-z_id^2/2 - log_std_d - log(2 pi)/2]``
with ``z = (a - mean) / exp(log_std)``. Each implementation makes exactly one
mistake and leaves its inputs alone (except ``mutates_inputs``).

Look-alikes:

- ``mean_over_dims`` and ``per_dimension_weighted`` are the same function, the
  reference divided by D, on every input, and neither builds a telling
  intermediate: the diagnosis names both (``SAME_NUMBERS``). ``broadcast`` and
  ``weight_after_reduction`` are the same function too, -mean(log pi) * mean(q);
  only broadcast builds an (N, N) tensor.
- Equal to the reference on some inputs: ``mean_over_dims`` and
  ``per_dimension_weighted`` when D = 1; ``sum_reduction``, ``broadcast`` and
  ``weight_after_reduction`` when N = 1; ``log_std_as_std`` and
  ``variance_as_scale`` nowhere except where std = 1 (log_std = 0) makes them
  differ only in value; ``dropped_constant`` in both gradients everywhere;
  ``log_std_detached`` in value and dL/dmean everywhere; ``unstable_log`` at
  ordinary inputs (it needs actions tens of standard deviations from the mean);
  ``clamped_variance`` wherever the std is above 1e-3.
- ``resampled_actions`` draws fresh actions, so its value is random; its
  gradients are not: zero for the mean, mean(q) for every log_std.
- ``log_std_as_std`` is NaN (or raises, through torch.distributions) wherever a
  log_std is negative; the probes keep log_std positive so that it answers.
"""

from __future__ import annotations

from typing import Tuple

import torch

from grader.author import HALF_LOG_2PI, Mistake
from reference.gaussian.texts import TEXTS


def _log_pi(mean, log_std, actions, std=None, log_scale=None):
    """(N, D) per-dimension log-density of the actions; std and log_scale default to exp(log_std), log_std."""
    std = log_std.exp() if std is None else std
    log_scale = log_std if log_scale is None else log_scale
    return -0.5 * ((actions - mean) / std) ** 2 - log_scale - HALF_LOG_2PI


def _weighted(log_pi, q_values):
    """The reference's last step: sum over dimensions, weight by q, minus the batch mean."""
    return -(log_pi.sum(-1) * q_values).mean()


def _sign_flipped(mean, log_std, actions, q_values):
    return (_log_pi(mean, log_std, actions).sum(-1) * q_values).mean()


def _mean_over_dims(mean, log_std, actions, q_values):
    return -(_log_pi(mean, log_std, actions).mean(-1) * q_values).mean()


def _per_dimension_weighted(mean, log_std, actions, q_values):
    # Normal(...).log_prob(actions) is (N, D): weighted and averaged without summing the dimensions.
    return -(_log_pi(mean, log_std, actions) * q_values[:, None]).mean()


def _log_std_as_std(mean, log_std, actions, q_values):
    # Normal(mean, log_std): the log of the standard deviation used as the standard deviation.
    return _weighted(_log_pi(mean, log_std, actions, std=log_std, log_scale=torch.log(log_std)), q_values)


def _variance_as_scale(mean, log_std, actions, q_values):
    # Normal(mean, exp(2 log_std)): the variance passed where the scale (the std) goes.
    return _weighted(_log_pi(mean, log_std, actions, std=(2 * log_std).exp(), log_scale=2 * log_std), q_values)


def _mse_regression(mean, log_std, actions, q_values):
    # "It's just regression": q-weighted squared error of the mean against the actions.
    return (((actions - mean) ** 2).sum(-1) * q_values).mean()


def _log_std_detached(mean, log_std, actions, q_values):
    return _weighted(_log_pi(mean, log_std.detach(), actions), q_values)


def _dropped_log_std_term(mean, log_std, actions, q_values):
    # The log-density written from its exponent alone: -z^2/2 and the constant, no -log_std.
    z = (actions - mean) / log_std.exp()
    return _weighted(-0.5 * z**2 - HALF_LOG_2PI, q_values)


def _unweighted(mean, log_std, actions, q_values):
    return -_log_pi(mean, log_std, actions).sum(-1).mean()


def _sum_reduction(mean, log_std, actions, q_values):
    return -(_log_pi(mean, log_std, actions).sum(-1) * q_values).sum()


def _normalized_inside(mean, log_std, actions, q_values):
    q = (q_values - q_values.mean()) / (q_values.std(correction=0) + 1e-8)
    return _weighted(_log_pi(mean, log_std, actions), q)


def _resampled_actions(mean, log_std, actions, q_values):
    policy = torch.distributions.Normal(mean, log_std.exp())
    return -(policy.log_prob(policy.rsample()).sum(-1) * q_values).mean()


def _no_log(mean, log_std, actions, q_values):
    return -(_log_pi(mean, log_std, actions).sum(-1).exp() * q_values).mean()


def _dropped_constant(mean, log_std, actions, q_values):
    return _weighted(_log_pi(mean, log_std, actions) + HALF_LOG_2PI, q_values)


def _not_differentiable(mean, log_std, actions, q_values):
    return _weighted(_log_pi(mean.detach(), log_std.detach(), actions), q_values)


def _not_scalar(mean, log_std, actions, q_values):
    return -(_log_pi(mean, log_std, actions).sum(-1) * q_values)


def _mutates_inputs(mean, log_std, actions, q_values):
    # "Centre the actions" in place: the value is right, the caller's actions are gone.
    actions.sub_(mean.detach())
    return _weighted(_log_pi(mean - mean.detach(), log_std, actions), q_values)


def _unstable_log(mean, log_std, actions, q_values):
    # The density first, its log afterwards: exp(-z^2 / 2) is exactly 0 beyond z of about 14 (float32).
    std = log_std.exp()
    density = torch.exp(-0.5 * ((actions - mean) / std) ** 2) / (std * (2 * torch.pi) ** 0.5)
    return -(torch.log(density).sum(-1) * q_values).mean()


def _clamped_variance(mean, log_std, actions, q_values):
    # F.gaussian_nll_loss clamps the variance at 1e-6 (a std of 1e-3), out of autograd's sight.
    variance = (2 * log_std).exp().expand_as(mean)
    nll = torch.nn.functional.gaussian_nll_loss(mean, actions, variance, full=True, reduction="none")
    return (nll.sum(-1) * q_values).mean()


def _broadcast(mean, log_std, actions, q_values):
    log_pi = _log_pi(mean, log_std, actions).sum(-1, keepdim=True)  # (N, 1)
    return -(log_pi * q_values).mean()  # (N, 1) * (N,) -> (N, N)


def _weight_after_reduction(mean, log_std, actions, q_values):
    return -_log_pi(mean, log_std, actions).sum(-1).mean() * q_values.mean()


_IMPLEMENTATIONS = {
    "sign_flipped": _sign_flipped,
    "mean_over_dims": _mean_over_dims,
    "per_dimension_weighted": _per_dimension_weighted,
    "log_std_as_std": _log_std_as_std,
    "variance_as_scale": _variance_as_scale,
    "mse_regression": _mse_regression,
    "log_std_detached": _log_std_detached,
    "dropped_log_std_term": _dropped_log_std_term,
    "unweighted": _unweighted,
    "sum_reduction": _sum_reduction,
    "normalized_inside": _normalized_inside,
    "resampled_actions": _resampled_actions,
    "no_log": _no_log,
    "dropped_constant": _dropped_constant,
    "unstable_log": _unstable_log,
    "clamped_variance": _clamped_variance,
    "broadcast": _broadcast,
    "weight_after_reduction": _weight_after_reduction,
    "not_differentiable": _not_differentiable,
    "not_scalar": _not_scalar,
    "mutates_inputs": _mutates_inputs,
}

CATALOG: Tuple[Mistake, ...] = tuple(
    Mistake(key, *TEXTS[key], loss, random_value=key == "resampled_actions") for key, loss in _IMPLEMENTATIONS.items()
)

# Groups of IDs whose implementations give the same value and gradients on every input.
# mean_over_dims: -(1/N) sum_i q_i (1/D) sum_d lp_id = -(1/(N D)) sum_id lp_id q_i = per_dimension_weighted.
# broadcast: -(1/N^2) sum_ij lp_i q_j = -mean(lp) mean(q) = weight_after_reduction.
SAME_NUMBERS: Tuple[frozenset, ...] = (
    frozenset({"mean_over_dims", "per_dimension_weighted"}),
    frozenset({"broadcast", "weight_after_reduction"}),
)
