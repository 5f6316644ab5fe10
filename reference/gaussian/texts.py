"""What a student reads for each catalogued mistake of the Gaussian pseudo-loss: (title, change, explanation).

Plain words and no numbers: the diagnosis adds the evidence. Kept apart from
the implementations (mistakes.py) so that each file stays readable.
"""

from typing import Dict, Tuple

_FIX = (
    "`torch.distributions.Normal(mean, log_std.exp()).log_prob(actions).sum(-1)`, or by hand "
    "`(-0.5 * ((actions - mean) / log_std.exp()) ** 2 - log_std - 0.5 * math.log(2 * math.pi)).sum(-1)`"
)

TEXTS: Dict[str, Tuple[str, str, str]] = {
    "sign_flipped": (
        "The sign is flipped: gradient ascent on the loss",
        "Negate the loss: the pseudo-loss is −mean(log π(aᵢ|sᵢ)·qᵢ).",
        "The optimizer *minimises* the loss and the policy gradient points towards a *higher* return, so "
        "the pseudo-loss is minus the mean of log π(aᵢ|sᵢ)·qᵢ. With the sign flipped every step moves the "
        "mean away from the actions that earned high q and towards those that earned low q.",
    ),
    "mean_over_dims": (
        "The log-density is averaged over the action dimensions instead of summed",
        "Sum the log-density over the action dimensions (`.sum(-1)`) instead of averaging it.",
        "A diagonal Gaussian's log-density is the *sum* of the per-dimension log-densities: the dimensions "
        "are independent, so their probabilities multiply and their logs add. Averaging divides the loss "
        "and both gradients by D, the number of action dimensions, which silently changes the learning "
        f"rate with D. Sum over the last dimension: {_FIX}.",
    ),
    "per_dimension_weighted": (
        "The per-dimension log-densities are weighted as an (N, D) tensor and averaged",
        "Sum the (N, D) log-densities over the dimensions (`.sum(-1)`) before weighting by q and averaging.",
        "`Normal(mean, std).log_prob(actions)` has shape (N, D): one log-density per action dimension. "
        "Weighting that (N, D) tensor by q and taking `.mean()` averages over the D dimensions as well as "
        "over the N samples, which divides the loss and both gradients by D. Sum the dimensions first "
        "(`.sum(-1)`, shape (N,)), then weight by q and average over the batch.",
    ),
    "log_std_as_std": (
        "log_std is used as the standard deviation",
        "Use `log_std.exp()` as the standard deviation, not `log_std` itself.",
        "`log_std` is the *logarithm* of the standard deviation: the standard deviation is "
        "`log_std.exp()`. Used directly as the scale, a negative log_std is an invalid (negative) "
        "standard deviation, so the loss is NaN or `Normal` raises, and a positive one gives the wrong "
        "density and gradients. The log-std parametrisation is what lets the optimizer move the std "
        f"freely while it stays positive. Use {_FIX}.",
    ),
    "variance_as_scale": (
        "The variance is used where the standard deviation belongs",
        "Pass the standard deviation `log_std.exp()` as the scale, not the variance `exp(2 * log_std)`.",
        "`torch.distributions.Normal(loc, scale)` takes the standard deviation, exp(log_std), as its "
        "scale, not the variance exp(2·log_std). With the variance the density is the one of a different "
        "Gaussian, so the loss and both gradients are wrong whenever the std is not one. (If you want a "
        "covariance, `MultivariateNormal(mean, covariance_matrix=torch.diag(torch.exp(2 * log_std)))` "
        "is right.)",
    ),
    "mse_regression": (
        "A q-weighted squared error of the mean against the actions: not the Gaussian log-likelihood",
        "Use the Gaussian log-density, with its −log_std term and its division by the variance, not a squared error.",
        "Weighted regression of the mean on the actions looks like the policy gradient, but it is the "
        "log-likelihood with the standard deviation fixed at one and its terms dropped: the gradient for "
        "the mean is off by a factor of the variance in each dimension, and nothing reaches `log_std`, so "
        "the policy never learns how much to explore (its std stays wherever it started). Use the full "
        f"log-density, including the −log_std term and the division by the variance: {_FIX}.",
    ),
    "log_std_detached": (
        "log_std is detached: no gradient reaches it",
        "Keep `log_std` in autograd: remove the `.detach()` or copy it goes through.",
        "Your loss has the right value and the right gradient for the mean, but `log_std` enters it only "
        "through `.detach()` (or a copy made outside autograd), so dL/dlog_std is zero. The policy's "
        "standard deviation then never changes: it cannot narrow once good actions are found, nor widen "
        "to explore. Keep `log_std` itself in the computation.",
    ),
    "dropped_log_std_term": (
        "The −log σ term of the log-density is missing",
        "Subtract `log_std` in the log-density: −½z² − log σ − ½·log 2π per dimension, then sum.",
        "A normal density is exp(−z²/2) / (σ·√(2π)), so its log is −z²/2 − log σ − ½·log 2π, with "
        "z = (a − mean)/σ. Without −log σ, dL/dmean is unchanged but dL/dlog_std loses the term that "
        "pays for a wide policy: a wider σ makes every z smaller, so your log-density only grows with σ. "
        "Every action with a positive q then pushes σ up, whether it landed near the mean or far from it; "
        f"only actions with a negative q pull it down. Keep all three terms: {_FIX}.",
    ),
    "unweighted": (
        "The q values are ignored",
        "Multiply each sample's −log π(aᵢ|sᵢ) by its own qᵢ before averaging.",
        "Your loss is the plain negative log-likelihood of the sampled actions. It makes every action that "
        "was taken more likely, good or bad alike, which imitates past behaviour instead of reinforcing "
        "good behaviour. Multiply each sample's −log π(aᵢ|sᵢ) by its own qᵢ before averaging.",
    ),
    "sum_reduction": (
        "Sum over the batch instead of the mean",
        "Average over the batch with `.mean()` instead of `.sum()`.",
        "Your loss sums the per-sample terms instead of averaging them, so its value and gradients grow "
        "with the batch size and the effective learning rate depends on how many samples were collected. "
        "Use `.mean()` over the batch, or divide the sum by N.",
    ),
    "normalized_inside": (
        "q is standardised again inside the loss",
        "Use `q_values` as given: remove the subtraction of their mean and the division by their std.",
        "Your loss subtracts the mean of q and divides by its standard deviation before weighting. "
        "Normalising returns is the caller's choice (the learning check's trainer does it, then shifts "
        "them, before calling your loss; the test cases do not), and doing it inside the loss changes the "
        "result whenever q is not already standardised; for a single sample it turns q into zero or NaN. "
        "Use `q_values` as they are given.",
    ),
    "resampled_actions": (
        "The loss is evaluated at fresh samples (rsample) instead of the given actions",
        "Take the log-density of the given `actions`, not of fresh samples (`rsample()` or mean + std·noise).",
        "Your loss draws new actions from the policy (`rsample()`, or mean + std·noise) and takes their "
        "log-density, so the actions that earned the q values never enter it. For a reparametrised sample "
        "(a − mean)/std is just the noise, so the gradient for the mean is exactly zero and the gradient "
        "for log_std does not depend on what happened; the value depends on the random draw (so only the gradients are compared). The "
        "policy-gradient pseudo-loss uses the log-density of the `actions` argument: "
        f"{_FIX}.",
    ),
    "no_log": (
        "The density instead of the log-density",
        "Use the log-density, `Normal(mean, log_std.exp()).log_prob(actions).sum(-1)`, not the density.",
        "Your loss weights the probability density π(aᵢ|sᵢ) by qᵢ, but the policy gradient is built from "
        "the gradient of log π(a|s). The gradient of π is π times the gradient of log π, so every sample "
        "is scaled by its own density: actions far from the mean barely count, and a narrow policy's large "
        "densities swamp the rest. Take the log-density directly (not the log of the density): "
        f"{_FIX}.",
    ),
    "dropped_constant": (
        "The −½·log(2π) term is missing: the gradients are right, the value is off",
        "Add −½·log(2π) per action dimension to the log-density, or use `Normal(...).log_prob`.",
        "Your loss drops the normalising constant −½·log(2π) of each dimension's log-density. It does not "
        "depend on the mean or log_std, so both gradients are exactly right and learning is unaffected, "
        "but the value is not the log-likelihood: it is off by ½·log(2π)·D·mean(q). Add the constant (or "
        "use `Normal(...).log_prob`), so that the loss can be compared and logged as what it claims to be.",
    ),
    "unstable_log": (
        "The log of the density underflows: the loss is not finite far from the mean",
        "Write the log-density directly, −z²/2 − log_std − ½·log(2π), instead of the log of the density.",
        "You compute the density exp(−z²/2)/(std·√(2π)) first and take its log afterwards. For an action "
        "a few tens of standard deviations from the mean, exp(−z²/2) rounds to exactly zero and its log "
        "is −∞: the loss becomes infinite or NaN, and so does the gradient, and one NaN gradient "
        "destroys the network's weights. Write the log-density directly, −z²/2 − log_std − ½·log(2π), or use "
        "`Normal(...).log_prob`, which stays finite for any action.",
    ),
    "clamped_variance": (
        "The variance is clamped: right for a wide policy, wrong once its std is small",
        "Drop the variance's clamp (as in `F.gaussian_nll_loss`): use `Normal(mean, log_std.exp()).log_prob`.",
        "Your loss is right while the standard deviation is not too small, and wrong for a confident "
        "policy: the variance is clamped from below, as `F.gaussian_nll_loss` does (its `eps`), or by "
        "adding an epsilon. Below the clamp the loss and its gradients are computed with the clamped "
        "variance instead of the policy's, so they are wrong, and a policy that has become confident gets "
        "wrong updates exactly when it should be refining. Write the log-density directly, "
        "−z²/2 − log_std − ½·log(2π), or use `Normal(mean, log_std.exp()).log_prob`, which need no clamp.",
    ),
    "broadcast": (
        "Shapes (N, 1) and (N,) broadcast into an N × N matrix",
        "Make both factors shape (N,): sum the log-density without `keepdim=True` and keep q as (N,).",
        "One of your per-sample factors has shape `(N, 1)` and the other `(N,)` (the log-densities summed "
        "with `keepdim=True`, or q made a column), and broadcasting multiplies them into an `N × N` matrix "
        "that pairs every sample's "
        "log-density with every other sample's q. Its mean is −mean(log π)·mean(q): each sample is "
        "weighted by the batch's average q instead of its own. Make both shapes `(N,)` and check the "
        "shape of the product before taking the mean.",
    ),
    "weight_after_reduction": (
        "The log-likelihood is averaged before it is weighted by q",
        "Multiply each sample's log-density by its own qᵢ and then average, not by the mean of q afterwards.",
        "Your loss averages the log-densities over the batch first and multiplies by the mean of q "
        "afterwards, so every sample is weighted by the batch's average q instead of its own and which "
        "actions were good is lost. Multiply each sample's log-density by its own qᵢ, then average.",
    ),
    "not_differentiable": (
        "The loss is not connected to mean and log_std: no gradient flows",
        "Compute the loss with torch operations on `mean` and `log_std` themselves: no `.detach()`, `.item()` or NumPy.",
        "Your loss is computed outside autograd (through NumPy, `.item()`, `.detach()` or a new "
        "`torch.tensor(...)`), so PyTorch cannot trace it back to `mean` and `log_std`: the value may be "
        "right, but the policy never learns. Keep every step a torch operation on the inputs themselves "
        "and return that tensor.",
    ),
    "not_scalar": (
        "A tensor with a shape is returned instead of a 0-dim loss",
        "Average the per-sample terms with `.mean()` so that the loss is a 0-dim tensor.",
        "Your function returns a tensor with a shape (one loss per sample, or per dimension) where a "
        "0-dim tensor is expected: with more than one entry, `backward()` raises unless it is given a "
        "gradient, and code that logs or compares the loss gets a tensor instead of a number. Average "
        "the per-sample terms with `.mean()` so that the result is a 0-dim tensor.",
    ),
    "mutates_inputs": (
        "The inputs are modified in place",
        "Work on new tensors: `diff = actions - mean`, not `actions -= mean`, `.sub_()` or `.data`.",
        "Your function changes the tensors it was given (for example `actions -= mean` or `.sub_()`, "
        "`.data`, methods ending in an underscore). The caller still uses them afterwards, so the same "
        "batch gives a different answer the second time; on an input that requires grad (`mean`, "
        "`log_std`) torch refuses the change and raises instead. Work on new tensors: `diff = actions - mean`, "
        "`log_std.clamp(...)` rather than `log_std.clamp_(...)`.",
    ),
}
