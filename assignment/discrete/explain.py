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

from typing import Callable, Optional, Tuple

import numpy as np

from grader.author import Answer, Walkthrough

LOGITS = np.array([[2.0, 0.5, -1.0], [0.3, 1.2, -0.4], [-0.2, 0.8, 1.0]])
Q_VALUES = np.array([1.5, -0.5, 1.0])
SEED = 5  # numpy's rng.choice(A, p=p) per state with this seed draws a non-argmax action in states 0 and 2
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


def _num(x: float) -> str:
    """Four significant digits, and never "-0"."""
    text = f"{float(x):.4g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def _row(values: np.ndarray) -> str:
    """A row of numbers in columns, four decimals each."""
    return "[" + " ".join(f"{round(float(v), 4) + 0.0:8.4f}" for v in values) + " ]"  # + 0.0: no "-0.0000"


def _factor(x: float) -> str:
    return f"({_num(x)})" if x < 0 else _num(x)


def steps() -> str:
    """The correct computation on the batch, step by step."""
    lines = [
        f"One batch, step by step: N = {N} states, A = {A} actions.",
        "",
        "1. logits: the policy network's raw outputs, one row per state",
        *(f"     state {i}: {_row(LOGITS[i])}" for i in range(N)),
        "2. p = softmax(logits): each row is the policy's probability of each action (it sums to 1)",
        *(f"     state {i}: {_row(PROBS[i])}" for i in range(N)),
        f"3. a: the action the agent drew from p while it played (here numpy's rng.choice, seed {SEED}).",
        "   A sample, not the most likely action; once drawn it is fixed data, like q:",
        *(f"     state {i}: a = {ACTIONS[i]}, p(a) = {_num(P_TAKEN[i])}{_argmax_note(i)}" for i in range(N)),
        "4. -log p(a): the cross-entropy with label a; zero only when p(a) = 1, so not zero here",
        *(f"     state {i}: -log {_num(P_TAKEN[i])} = {_num(-np.log(P_TAKEN[i]))}" for i in range(N)),
        "5. times q, the reward-to-go of the step (a constant: no gradient flows to it)",
        *(f"     state {i}: {_num(-np.log(P_TAKEN[i]))} × {_factor(Q_VALUES[i])} = {_num(TERMS[i])}" for i in range(N)),
        "6. L = the mean over the N states",
        f"     ({' + '.join(_num(t) for t in TERMS)}) / {N} = {_num(LOSS)}".replace("+ -", "- "),
        "   and dL/dlogits[i] = -q_i × (onehot(a_i) - p_i) / N:",
        *(f"     state {i}: {_row(GRAD[i])}" for i in range(N)),
    ]
    return "\n".join(lines)


def _argmax_note(i: int) -> str:
    best = int(np.argmax(PROBS[i]))
    if best == ACTIONS[i]:
        return " (the most likely action, and still p(a) < 1)"
    return f" (not the most likely action: that is {best}, with p = {_num(PROBS[i, best])})"


# --- where a wrong loss parts from the steps ----------------------------------------------
# (step, the loss it computes instead, what went wrong there). Each is a known wrong turn at
# that step alone; the first whose value matches the student's is named.
def _every_action_loss() -> float:
    return float((PROBS * Q_VALUES[:, None]).mean())


_EVERY_ACTION = (
    "you weighted the probability of every action by q instead of taking the sampled action's. "
    "Each row of p sums to 1, so Σ_a p(a)·q_i = q_i:\n"
    f"     state 0: ({' + '.join(f'{v:.4f}' for v in PROBS[0])}) × {_factor(Q_VALUES[0])} = 1 × {_factor(Q_VALUES[0])}\n"
    f"   so the loss is mean(q)/A = {_num(Q_VALUES.mean())}/{A} = {_num(_every_action_loss())} for any logits "
    "(mean(q) if you summed over actions), and its gradient is 0: the policy never changes. "
    "Take log p(a) of the sampled action (steps 3 and 4)."
)
_TURNS: Tuple[Tuple[int, Callable[[], float], str], ...] = (
    (3, _every_action_loss, _EVERY_ACTION),
    (3, lambda: float(Q_VALUES.mean()), _EVERY_ACTION),
    (
        3,
        lambda: float((-np.log(PROBS.max(axis=1)) * Q_VALUES).mean()),
        "you used the most likely action instead of the sampled one. The label is a, the action "
        f"the agent took; the most likely one differs from it in states {_NOT_ARGMAX}.",
    ),
    (4, lambda: float((-P_TAKEN * Q_VALUES).mean()), "you used p(a) where the loss takes log p(a)."),
    (
        4,
        lambda: float((-LOGITS[ROWS, ACTIONS] * Q_VALUES).mean()),
        "you used the logit of a as if it were log p(a); log p(a) = z_a - logsumexp(z) (log_softmax).",
    ),
    (
        5,
        lambda: float(-np.log(P_TAKEN).mean()),
        "the weights q are missing. Without them the expected gradient is 0 (the mean over a ~ p of "
        "∇log p(a) is ∇Σ_a p(a) = ∇1 = 0), so the loss only makes sampled actions more likely.",
    ),
    (6, lambda: float(TERMS.sum()), f"you summed over the states instead of averaging: × N = {N}."),
    (6, lambda: -LOSS, "the sign is flipped: minimising it makes the actions with positive q less likely."),
)


def compare(answer: Answer) -> str:
    """The student's value and gradient on the batch, and the first step where they part."""
    value = answer.scalar
    if value is None:
        return _not_scalar(answer)
    lines = [f"   L = {_num(value)}   (step 6 gives {_num(LOSS)})", f"   dL/dlogits:{_grad_text(answer)}"]
    if abs(value - LOSS) <= RTOL * _SCALE:
        lines.append(_same_value(answer))
        return "\n".join(lines)
    turn = next(((step, text) for step, loss, text in _TURNS if abs(value - loss()) <= RTOL * _SCALE), None)
    if turn is not None:
        lines.append(f"   Where yours parts from the steps: step {turn[0]}. {turn[1][0].upper()}{turn[1][1:]}")
    else:
        lines.append(
            "   Yours is none of the usual wrong turns at steps 2 to 6. Print your intermediate tensors "
            "on this batch and compare them with the steps above: the first that differs is where to look."
        )
    return "\n".join(lines)


def _grad(answer: Answer) -> Optional[np.ndarray]:
    return answer.grads.get("logits") if answer.connected else None


def _grad_text(answer: Answer) -> str:
    grad = _grad(answer)
    if grad is None:
        return " none: the loss is not connected to logits in autograd"
    largest = float(np.max(np.abs(grad)))
    if largest <= 1e-6 * float(np.max(np.abs(GRAD))):
        return f" zero everywhere (largest entry {_num(largest)})"
    return "\n" + "\n".join(f"     state {i}: {_row(grad[i])}" for i in range(N))


def _same_value(answer: Answer) -> str:
    grad = _grad(answer)
    if grad is None:
        return (
            "   Your value is step 6's, but no gradient reaches the logits: something on the way left "
            "autograd (.item(), .numpy(), .detach(), torch.tensor(...)), so the policy cannot learn."
        )
    tolerance = 1e-5 * float(np.max(np.abs(GRAD))) + 1e-7
    wrong = np.argwhere(np.abs(grad - GRAD) > tolerance)
    if not len(wrong):
        return "   Yours matches at every step: the same value and the same gradient."
    i, j = (int(k) for k in wrong[0])
    return (
        f"   Your value is step 6's, but not your gradient: dL/dlogits[{i}, {j}] should be "
        f"{_num(GRAD[i, j])}, yours is {_num(grad[i, j])}."
    )


def _not_scalar(answer: Answer) -> str:
    shape = "unknown" if answer.shape is None else str(tuple(answer.shape))
    lines = [f"   Your function returned a {answer.returned} of shape {shape}, not a 0-dim tensor."]
    values = None if answer.value is None else answer.value.reshape(-1)
    if values is not None and values.shape == TERMS.shape and np.allclose(values, TERMS, rtol=RTOL, atol=RTOL * _SCALE):
        lines.append("   Its entries are step 5's terms, one per state: step 6 takes their mean.")
    return "\n".join(lines)


def _check_turns() -> None:
    """Every wrong turn's loss differs from the right one and from the other steps' on this batch,
    so naming the first match is never ambiguous (checked when the module is imported)."""
    losses = [LOSS] + [loss() for _, loss, _ in _TURNS]
    for i, loss in enumerate(losses):
        if any(abs(loss - other) <= 100 * RTOL * _SCALE for other in losses[:i]):
            raise ValueError(f"two steps of the walk-through give the same loss on its batch: {losses}")
    if not _NOT_ARGMAX:
        raise ValueError("the walk-through's batch must show a sampled action that is not the most likely")


_check_turns()
WALKTHROUGH = Walkthrough(
    (LOGITS.astype(np.float32), ACTIONS.astype(np.int64), Q_VALUES.astype(np.float32)), steps, compare
)
