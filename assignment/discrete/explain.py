"""The discrete pseudo-loss worked through on one small batch, beside the student's own numbers.

`python -m grader explain SUB` and `python selfcheck.py --explain` print it: the
logits, softmax(logits), the action the agent sampled from it (not the argmax),
-log p(a) (not zero, because p(a) < 1), times q, the mean; then the student's
value and gradient on the same batch and the first step where they part. The
steps are computed here in float64 from the formulas the handout's README
gives; tests/verbs/test_explain.py checks every number against the reference.
This module is public (the handout ships it).
"""

from __future__ import annotations

from typing import List

import numpy as np

from grader.author import Answer, Turn, Walkthrough, num, row

# N = 4 states of A = 3 actions: with N = A, (N, A) * (N,) would broadcast without an error here,
# where the student's training batch raises.
LOGITS = np.array([[2.0, 0.5, -1.0], [0.3, 1.2, -0.4], [-0.2, 0.8, 1.0], [0.1, -0.3, 0.6]])
Q_VALUES = np.array([1.5, -0.5, 1.0, 0.5])
SEED = 5  # numpy's rng.choice(A, p=p) per state with this seed draws a non-argmax action in states 0, 2 and 3
RTOL = 1e-4  # of the size of the loss's terms (the grader's own tolerance, see exercise.py)

N, A = LOGITS.shape
_shifted = np.exp(LOGITS - LOGITS.max(axis=1, keepdims=True))
PROBS = _shifted / _shifted.sum(axis=1, keepdims=True)
_rng = np.random.default_rng(SEED)
ACTIONS = np.array([_rng.choice(A, p=row) for row in PROBS])
ROWS = np.arange(N)
P_TAKEN = PROBS[ROWS, ACTIONS]
TERMS = -np.log(P_TAKEN) * Q_VALUES  # step 5, one per state
LOSS = float(TERMS.mean())
GRAD = -(Q_VALUES / N)[:, None] * (np.eye(A)[ACTIONS] - PROBS)  # dL/dlogits
_SCALE = float(np.abs(TERMS).mean())
_NOT_ARGMAX = " and ".join(str(i) for i in ROWS[ACTIONS != PROBS.argmax(axis=1)])


def _factor(x: float) -> str:
    return f"({num(x)})" if x < 0 else num(x)


def steps() -> str:
    """The correct computation on the batch, step by step."""
    lines = [
        f"One batch, step by step: N = {N} states, A = {A} actions.",
        "",
        "1. logits: the policy network's raw outputs, one row per state",
        *(f"     state {i}: {row(LOGITS[i])}" for i in range(N)),
        "2. p = softmax(logits): each row is the policy's probability of each action (it sums to 1)",
        *(f"     state {i}: {row(PROBS[i])}" for i in range(N)),
        f"3. a: the action the agent drew from p while it played (here numpy's rng.choice, seed {SEED}).",
        "   A sample, not the most likely action; once drawn it is fixed data, like q:",
        *(f"     state {i}: a = {ACTIONS[i]}, p(a) = {num(P_TAKEN[i])}{_argmax_note(i)}" for i in range(N)),
        "4. -log p(a): the cross-entropy with label a; zero only when p(a) = 1, so not zero here",
        *(f"     state {i}: -log {num(P_TAKEN[i])} = {num(-np.log(P_TAKEN[i]))}" for i in range(N)),
        "5. times q, the reward-to-go of the step (a constant: no gradient flows to it)",
        *(f"     state {i}: {num(-np.log(P_TAKEN[i]))} × {_factor(Q_VALUES[i])} = {num(TERMS[i])}" for i in range(N)),
        "6. L = the mean over the N states",
        f"     ({' + '.join(num(t) for t in TERMS)}) / {N} = {num(LOSS)}".replace("+ -", "- "),
        "   and dL/dlogits[i] = -q_i × (onehot(a_i) - p_i) / N:",
        *(f"     state {i}: {row(GRAD[i])}" for i in range(N)),
    ]
    return "\n".join(lines)


def _argmax_note(i: int) -> str:
    best = int(np.argmax(PROBS[i]))
    if best == ACTIONS[i]:
        return " (the most likely action, and still p(a) < 1)"
    return f" (not the most likely action: that is {best}, with p = {num(PROBS[i, best])})"


# --- where a wrong loss parts from the steps ----------------------------------------------
# Each is a known wrong turn at that step alone; the first whose value matches the student's is named.
_EVERY_ACTION_LOSS = float((PROBS * Q_VALUES[:, None]).mean())
_EVERY_ACTION = (
    "you weighted the probability of every action by q instead of taking the sampled action's. "
    "Each row of p sums to 1, so Σ_a p(a)·q_i = q_i:\n"
    f"     state 0: ({' + '.join(f'{v:.4f}' for v in PROBS[0])}) × {_factor(Q_VALUES[0])} = 1 × {_factor(Q_VALUES[0])}\n"
    f"   so the loss is mean(q)/A = {num(Q_VALUES.mean())}/{A} = {num(_EVERY_ACTION_LOSS)} for any logits "
    "(mean(q) if you summed over actions), and its gradient is 0: the policy never changes. "
    "Take log p(a) of the sampled action (steps 3 and 4)."
)
TURNS = (
    Turn(3, _EVERY_ACTION_LOSS, ("sum_over_actions",), _EVERY_ACTION),
    Turn(3, float(Q_VALUES.mean()), ("sum_over_actions",), _EVERY_ACTION),
    Turn(
        3,
        float((-np.log(PROBS.max(axis=1)) * Q_VALUES).mean()),
        ("greedy_labels",),
        "you used the most likely action instead of the sampled one. The label is a, the action "
        f"the agent took; the most likely one differs from it in states {_NOT_ARGMAX}.",
    ),
    Turn(4, float((-P_TAKEN * Q_VALUES).mean()), ("no_log",), "you used p(a) where the loss takes log p(a)."),
    Turn(
        4,
        float((-LOGITS[ROWS, ACTIONS] * Q_VALUES).mean()),
        ("logits_as_logprobs",),
        "you used the logit of a as if it were log p(a); log p(a) = z_a - logsumexp(z) (log_softmax).",
    ),
    Turn(
        5,
        float(-np.log(P_TAKEN).mean()),
        ("unweighted",),
        "the weights q are missing. Without them the expected gradient is 0 (the mean over a ~ p of "
        "∇log p(a) is ∇Σ_a p(a) = ∇1 = 0), so the loss only makes sampled actions more likely.",
    ),
    Turn(
        5,
        float(-np.log(P_TAKEN).mean() * Q_VALUES.mean()),
        ("weight_after_reduction", "broadcast"),
        "you averaged -log p(a) over the states before weighting by q, so every state got the batch's "
        f"mean q ({num(Q_VALUES.mean())}) instead of its own: F.cross_entropy's default "
        "reduction='mean' does that, and so does an (N, 1) × (N,) product, which broadcasts to N × N. "
        'Keep one term per state (reduction="none", shapes (N,)) and weight each by its own q.',
    ),
    Turn(6, float(TERMS.sum()), ("sum_reduction",), f"you summed over the states instead of averaging: × N = {N}."),
    Turn(
        6, -LOSS, ("sign_flipped",), "the sign is flipped: minimising it makes the actions with positive q less likely."
    ),
    # A loss that keeps one term per state: not a number, so only its entries are compared.
    Turn(5, TERMS, ("not_scalar",), "Its entries are step 5's terms, one per state: step 6 takes their mean."),
)


def _shown(answer: Answer) -> List[str]:
    """The student's dL/dlogits, one row per state."""
    grad = answer.grads.get("logits") if answer.connected else None
    if grad is None:
        return ["   dL/dlogits: none: the loss is not connected to logits in autograd"]
    largest = float(np.max(np.abs(grad)))
    if largest <= 1e-6 * float(np.max(np.abs(GRAD))):
        return [f"   dL/dlogits: zero everywhere (largest entry {num(largest)})"]
    return ["   dL/dlogits:", *(f"     state {i}: {row(grad[i])}" for i in range(N))]


if not _NOT_ARGMAX:
    raise ValueError("the walk-through's batch must show a sampled action that is not the most likely")
WALKTHROUGHS = (
    Walkthrough(
        "pseudo_loss",
        (LOGITS.astype(np.float32), ACTIONS.astype(np.int64), Q_VALUES.astype(np.float32)),
        steps,
        LOSS,
        6,
        TURNS,
        RTOL * _SCALE,
        {"logits": GRAD},
        _shown,
        reaches="the logits",
        unmatched="Yours is none of the usual wrong turns at steps 2 to 6. Print your intermediate tensors on this "
        "batch and compare them with the steps above: the first that differs is where to look.",
    ),
)
