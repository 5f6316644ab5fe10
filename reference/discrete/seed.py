"""One seed's CartPole run: its settings, network and optimizer, random streams, and how far it
has come (cartpole.py trains; lockstep.py plays every seed's episodes side by side)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, List, Optional, Tuple, Union

import numpy as np

from grader.author import Adam, Learning, LossGrad, Progress, gradient_problem, needed_return, verdict
from reference.discrete.policy import Policy

ToGo = Callable[[np.ndarray, np.ndarray], Union[np.ndarray, str]]
"""to_go(rewards, alive), both (T, E) with every episode a column: each step's reward-to-go, (T, E),
or why there is none (a student's reward-to-go that gave no usable answer)."""


def undiscounted(rewards: np.ndarray, alive: np.ndarray) -> np.ndarray:
    """A reversed cumulative sum over time: rewards after an episode's end are 0."""
    return np.cumsum(rewards[::-1], axis=0)[::-1]


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


class Seed:
    """One seed's run: its network and optimizer, its random streams, how far it has come."""

    def __init__(
        self,
        seed: int,
        config: CartPoleConfig,
        first: bool,
        progress: Optional[Progress] = None,
        to_go: ToGo = undiscounted,
    ):
        self.seed, self.config, self.first, self.progress, self.to_go = seed, config, first, progress, to_go
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
        self.returns.append(float(batch[-1].mean()))
        self.env_steps += len(batch[1])
        if self.progress is not None:
            self.progress(self.seed, len(self.returns), self.returns[-1])
        self.end = verdict(self.returns, self.config.window_iters, self.config.return_threshold, self.config.max_iters)
        return self.end is not None

    def update(self, loss_grad: LossGrad) -> bool:
        """One policy-gradient step on the pending batch with dL/dlogits from the oracle; True when
        the loss gave no usable gradient (or to_go no reward-to-go), which ends the run."""
        assert self.pending is not None  # finish() left the batch
        (obs, actions, rewards, alive, _), self.pending = self.pending, None
        reward_to_go = self.to_go(rewards, alive)
        if isinstance(reward_to_go, str):
            self.end = False, f"{reward_to_go} at iteration {len(self.returns)}"
            return True
        reward_to_go = reward_to_go[alive]
        # Advantage normalisation: the mean acts as a baseline (less variance) and the std keeps
        # the scale the same while episodes grow from ~20 to ~500 steps.
        q_values = ((reward_to_go - reward_to_go.mean()) / (reward_to_go.std() + 1e-8)).astype(np.float32)
        logits = self.policy.forward(obs)
        grads = loss_grad(logits.copy(), actions, q_values)  # actions and q_values are fresh arrays
        problem = gradient_problem(grads, {"logits": logits.shape})
        if problem:
            self.end = False, f"{problem} at iteration {len(self.returns)}"
            return True
        assert grads is not None  # gradient_problem: no gradient is a problem
        self.optimizer.step(self.policy.backward(obs, grads["logits"].astype(np.float32)))
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
