"""CartPole learning check: train a policy with the student's pseudo-loss, every seed at once.

The parent (trusted) owns the policy networks, the optimizers, gymnasium's
CartPole-v1 and every seed. Each seed's run is REINFORCE: an iteration plays
one episode on each of its `num_envs` copies of the env, computes the logits of
the whole batch, and asks a *gradient oracle* -- the student's loss, run in the
sandboxed child -- for dL/dlogits. It backpropagates that through its own
network (what `logits.backward(grad)` does) and takes an Adam step. The student's
code never sees the network or the environment, only the three arrays below. A
run passes as soon as the mean return of its last `window_iters` iterations
reaches `return_threshold`, and fails after `max_iters` iterations.

Why every seed in one env: a vector step costs about the same at 32 copies as
at 96 (numpy's per-call overhead, not the physics, is most of it), so the seeds
share one CartPoleVectorEnv, `num_envs` columns each, and step in lock-step.
Each seed keeps its own pace: when the last of its episodes ends it updates its
policy and restarts its columns at once, while the others play on; its columns
step idle, masked out, until then. A seed's run depends on its seed alone (its
own network, initial states and noise; the physics is per column), so it is the
same whichever seeds run beside it.

A passing run's last iteration ends as soon as its episodes have earned a mean
return that passes (and the threshold itself): rewards are never negative, so
the rest of those episodes could only add to it. The run passes at the same
iteration as if it had waited for them, without playing its longest episodes
out to 500 steps.

The network (policy.py) and Adam (grader.learning.runs) are numpy: per step and per batch a few small
array operations, where torch's autograd would cost more than the environment.

One iteration of one seed:

    =========  ======  =====================================================
    Symbol     Shape   Meaning
    =========  ======  =====================================================
    E          ()      `num_envs`: episodes per iteration, one per column
    N          ()      steps in the batch = sum of the E episode lengths
    obs        (N, 4)  CartPole observation: cart position, cart velocity,
                       pole angle, pole angular velocity
    logits     (N, 2)  policy outputs for obs (float32)
    actions    (N,)    int64, sampled from softmax(logits) during the rollout
    q_values   (N,)    float32, reward-to-go, standardised to mean 0, std 1
    grad       (N, 2)  dL/dlogits as returned by the oracle
    =========  ======  =====================================================
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Callable, List, Mapping, Optional, Sequence, Tuple

import numpy as np
import torch

from grader.learning.runs import Adam, Learning, needed_return
from reference.discrete.lockstep import Lockstep
from reference.discrete.policy import Policy

LossGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], Optional[Mapping[str, np.ndarray]]]
"""loss_grad(logits, actions, q_values) -> {"logits": dL/dlogits of shape (N, A)}, or None
when the student's loss gave no usable gradient. The arrays are fresh copies."""

ENV = "CartPole-v1"
GRADING_SEEDS = (0, 1, 2)
"""The learning check passes only if training passes on every one of these."""


@dataclass(frozen=True)
class CartPoleConfig:
    num_envs: int = 32
    """CartPole-v1 copies per seed; each plays one full episode per iteration."""
    hidden_size: int = 64
    """Width of the policy's one tanh hidden layer (4 -> hidden -> 2)."""
    learning_rate: float = 3e-2
    """Adam step size."""
    return_threshold: float = 150.0
    """Pass when the mean episode return over the window reaches this."""
    window_iters: int = 2
    """How many recent iterations' mean returns are averaged for the pass test."""
    max_iters: int = 30
    """Iteration budget (rollouts); fail when it runs out."""
    promising_return: float = 35.0
    """The best mean return some seed must have reached for the others to play past
    `wait_after_iters` iterations: a random policy's is about 22."""
    promise_growth: float = 5.0
    """How much higher that bar is for each further iteration. The reference clears it with room:
    over 10 triples of seeds, the lowest best return of a triple is 42, 49, 56, 62, 63, 78, 79, 82,
    94 at iterations 3 to 11, against a bar of 35, 40, 45, 50, 55, 60, 65, 70, 75."""
    wait_after_iters: int = 3
    """Seeds after the first wait past this many iterations unless some seed's best return has
    reached the bar: a loss that does not train then costs one seed's budget, not three."""


THRESHOLD = CartPoleConfig.return_threshold


def train(
    loss_grad: LossGrad,
    seeds: Sequence[int] = GRADING_SEEDS,
    config: CartPoleConfig = CartPoleConfig(),
    stop_early: bool = True,
) -> List[Learning]:
    """REINFORCE on CartPole-v1 for every seed in lock-step, gradients from `loss_grad`; one
    Learning per seed that ended, in the order of `seeds`. stop_early: end every run as soon as
    one fails (the check fails then anyway), leaving out the seeds still running; False runs
    each to its own end. Deterministic per seed."""
    start = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # for policy.matmul, see there
    lockstep = Lockstep(ENV, [_Seed(seed, config, k == 0) for k, seed in enumerate(seeds)])
    try:
        ended = lockstep.run(loss_grad, start, stop_early)
    finally:
        lockstep.env.close()
        torch.set_num_threads(threads)
    return sorted(ended, key=lambda run: list(seeds).index(run.seed))


class _Seed:
    """One seed's run: its network and optimizer, its random streams, how far it has come."""

    def __init__(self, seed: int, config: CartPoleConfig, first: bool):
        self.seed, self.config, self.first = seed, config, first
        self.policy = Policy(config.hidden_size, np.random.default_rng([seed, 0]))
        self.optimizer = Adam(self.policy.params, config.learning_rate)
        self.noise = np.random.default_rng([seed, 1])  # the actions' sampling noise
        self.starts = np.random.default_rng([seed, 2])  # each episode's initial state
        self.returns: List[float] = []
        self.env_steps = 0
        self.began = 0  # the lock-step's step count when the current iteration began
        self.noise_drawn = 0  # steps of the current iteration whose action noise is drawn
        self.decide_at = 0.0  # the step at which to look whether the iteration has earned a pass
        self.end: Optional[Tuple[bool, str]] = None  # (passed, reason) once the run is over
        self.pending: Optional[tuple] = None  # the finished iteration's batch, until its update

    def finish(self, batch: tuple) -> bool:
        """Record one finished iteration; True when it ends the run (a pass, or the budget spent).
        Otherwise the batch waits for `update`."""
        self.pending = batch
        self.returns.append(float(batch[3].mean()))
        self.env_steps += len(batch[1])
        it, window, threshold = len(self.returns), self.config.window_iters, self.config.return_threshold
        recent = float(np.mean(self.returns[-window:]))
        if it >= window and recent >= threshold:  # checked before the update: it saves an oracle call
            self.end = (
                True,
                f"mean return {recent:.0f} >= {threshold:.0f} over the last {window} iterations after {it} iterations",
            )
        elif it == self.config.max_iters:  # the budget ran out: a last update could change nothing
            best = max(np.convolve(self.returns, np.ones(window) / window, "valid"))
            self.end = False, f"mean return reached only {best:.0f} (threshold {threshold:.0f}) in {it} iterations"
        return self.end is not None

    def update(self, loss_grad: LossGrad) -> bool:
        """One policy-gradient step on the pending batch with dL/dlogits from the oracle; True when
        the loss gave no usable gradient, which ends the run."""
        assert self.pending is not None  # finish() left the batch
        (obs, actions, q_values, _), self.pending = self.pending, None
        logits = self.policy.forward(obs)
        grads = loss_grad(logits.copy(), actions, q_values)  # actions and q_values are fresh arrays
        grad = None if grads is None else grads.get("logits")
        problem = _grad_problem(grad, logits.shape)
        if problem:
            self.end = False, f"{problem} at iteration {len(self.returns)}"
            return True
        assert grad is not None  # _grad_problem: no gradient is a problem
        self.optimizer.step(self.policy.backward(obs, grad.astype(np.float32)))
        return False

    def may_go_on(self, best: float) -> bool:
        """Whether to update and play on now, given the best mean return any seed has reached: the
        first seed always does, the others while their run is young or the loss shows it trains;
        else this seed waits (see lockstep.py)."""
        late = len(self.returns) - self.config.wait_after_iters
        return self.first or late < 0 or best >= self.config.promising_return + self.config.promise_growth * late

    def needed(self) -> float:
        """The mean return at which this iteration's episodes may stop early (runs.needed_return)."""
        return needed_return(self.returns, self.config.window_iters, self.config.return_threshold)

    def learning(self, seconds: float) -> Learning:
        assert self.end is not None  # only a run that ended is reported
        passed, reason = self.end
        return Learning(self.seed, passed, len(self.returns), self.env_steps, tuple(self.returns), seconds, reason)


def _grad_problem(grad: Optional[np.ndarray], shape: tuple) -> str:
    """What is wrong with the oracle's answer, in a few words; empty when it is usable."""
    if grad is None:
        return "the loss gave no gradient"
    if not isinstance(grad, np.ndarray) or grad.dtype.kind != "f":
        return "the gradient is not an array of floats"
    if grad.shape != shape:
        return f"the gradient has shape {grad.shape} instead of {shape}"
    if not np.isfinite(grad).all():
        return "non-finite gradient"
    return ""
