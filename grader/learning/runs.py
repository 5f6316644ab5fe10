"""What every exercise's trainer shares: the gradients it is given and what makes them usable, the
record of one seed's run and its one-line summary, when a run is over, the return at which an
iteration may stop playing, and torch.optim.Adam's update in numpy (a torch optimizer imports
torch._dynamo: ~1.3 s, ~70 MB)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

LossGrad = Callable[..., Optional[Mapping[str, np.ndarray]]]
"""loss_grad(*arrays): the contract's arrays, fresh copies, in order -> dL/d(argument) by the
argument's name, or None when the student's loss gave no usable gradient."""

Progress = Callable[[int, int, float], None]
"""progress(seed, iteration, mean return): told of each iteration as a trainer records it, for a
student who watches their loss learn (verbs/learn.py); the grader passes none."""


def gradient_problem(grads: Optional[Mapping[str, np.ndarray]], shapes: Mapping[str, Tuple[int, ...]]) -> str:
    """What is wrong with a loss's gradients for a trainer, in a few words; "" when each one shapes
    names is a finite float array of its shape."""
    if not grads:
        return "the loss gave no gradient"
    for name, shape in shapes.items():
        grad = grads.get(name)
        if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
            return f"the gradient for {name} is not an array of floats"
        if grad.shape != tuple(shape):
            return f"the gradient for {name} has shape {grad.shape} instead of {tuple(shape)}"
        if not np.isfinite(grad).all():
            return f"non-finite gradient for {name}"
    return ""


@dataclass(frozen=True)
class Learning:
    """One seed's training run."""

    seed: int
    passed: bool
    """True when the window's mean return reached the threshold within the budget."""
    iterations: int
    """Rollouts played (the last one ended the run without an update)."""
    env_steps: int
    """Environment steps inside episodes, summed over all iterations."""
    returns: Tuple[float, ...]
    """Mean episode return per iteration: the learning curve (the trainer says what its last
    point holds)."""
    seconds: float
    """Wall time of the run, oracle calls included."""
    reason: str
    """One plain sentence: why it passed or failed."""


def summary(learning: Learning) -> str:
    """Short text such as 'return 22 → 163 in 11 iterations (passed)'."""
    curve = learning.returns
    plural = "" if learning.iterations == 1 else "s"
    text = f"return {curve[0]:.0f} → {curve[-1]:.0f} in {learning.iterations} iteration{plural}"
    return f"{text} (passed)" if learning.passed else f"{text} (failed: {learning.reason})"


def verdict(returns: Sequence[float], window: int, threshold: float, budget: int) -> Optional[Tuple[bool, str]]:
    """Whether a run is over once its latest iteration's mean return is in `returns` (asked before
    that iteration's update, which it may save): (True, why) when the mean of the last `window`
    reaches threshold, (False, why) when `budget` iterations are spent; None while it goes on."""
    it = len(returns)
    recent = float(np.mean(returns[-window:]))
    if it >= window and recent >= threshold:
        return (
            True,
            f"mean return {recent:.0f} >= {threshold:.0f} over the last {window} iterations after {it} iterations",
        )
    if it >= budget:  # a last update could change nothing
        best = max(np.convolve(returns, np.ones(window) / window, "valid"))
        return False, f"mean return reached only {best:.0f} (threshold {threshold:.0f}) in {it} iterations"
    return None


DECIDE_EVERY = 8  # steps between looks at whether an iteration's episodes have earned a pass


def needed_return(returns: Sequence[float], window: int, threshold: float) -> float:
    """The mean return at which the iteration after `returns` may stop playing, the run passed:
    what the window of the last `window` iterations needs, and at least the threshold, so that no
    curve ends below it (inf when that iteration cannot pass). A return only grows as its
    episodes play on, so stopping there changes no run's outcome, only its last point."""
    if len(returns) + 1 < window:
        return float("inf")
    return max(window * threshold - sum(returns[len(returns) + 1 - window :]), threshold)


class Adam:
    """torch.optim.Adam's update with its defaults (betas 0.9, 0.999, eps 1e-8), in numpy; lr is
    one step size for every parameter, or one per parameter."""

    def __init__(self, params: List[np.ndarray], lr: Union[float, Sequence[float]]):
        self.params, self.steps = params, 0
        self.rates = [float(lr)] * len(params) if isinstance(lr, (int, float)) else [float(r) for r in lr]
        self.avg = [np.zeros_like(p) for p in params]
        self.avg_sq = [np.zeros_like(p) for p in params]

    def step(self, grads: List[np.ndarray]) -> None:
        self.steps += 1
        correction1, correction2 = 1 - 0.9**self.steps, 1 - 0.999**self.steps
        for p, grad, avg, avg_sq, rate in zip(self.params, grads, self.avg, self.avg_sq, self.rates):
            avg += 0.1 * (grad - avg)
            avg_sq *= 0.999
            avg_sq += 0.001 * grad * grad
            p -= (rate / correction1) * avg / (np.sqrt(avg_sq) / correction2**0.5 + 1e-8)
