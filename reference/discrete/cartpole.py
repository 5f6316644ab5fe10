"""CartPole learning check: train a policy with the student's pseudo-loss.

The parent (trusted) owns the policy network, the optimizer, gymnasium's
CartPole-v1 and every seed. Each iteration it plays one episode on each of
`num_envs` vectorised copies of the env, computes the logits of the whole batch
with grad, and asks a *gradient oracle* -- the student's loss, run in the
sandboxed child -- for dL/dlogits. It backpropagates that through its own
network (what `logits.backward(grad)` does) and takes an Adam step. The
student's code never sees the network or the environment, only the three
arrays below. The run stops as soon as the mean return of the last
`window_iters` iterations reaches `return_threshold` (pass), or after
`max_iters` iterations (fail).

One iteration of `train`:

    =========  ======  =====================================================
    Symbol     Shape   Meaning
    =========  ======  =====================================================
    E          ()      `num_envs`: episodes per iteration, one per env copy
    N          ()      steps in the batch = sum of the E episode lengths
    obs        (N, 4)  CartPole observation: cart position, cart velocity,
                       pole angle, pole angular velocity
    logits     (N, 2)  policy outputs for obs (float32, with grad, parent)
    actions    (N,)    int64, sampled from softmax(logits) during the rollout
    q_values   (N,)    float32, reward-to-go, standardised to mean 0, std 1
    grad       (N, 2)  dL/dlogits as returned by the oracle
    =========  ======  =====================================================
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Callable, Mapping, Optional, cast

import gymnasium as gym
import numpy as np
import torch

if TYPE_CHECKING:
    from gymnasium.envs.classic_control.cartpole import CartPoleVectorEnv

LossGrad = Callable[[np.ndarray, np.ndarray, np.ndarray], Optional[Mapping[str, np.ndarray]]]
"""loss_grad(logits, actions, q_values) -> {"logits": dL/dlogits of shape (N, A)}, or None
when the student's loss gave no usable gradient. The arrays are fresh copies."""

ENV = "CartPole-v1"
GRADING_SEEDS = (0, 1, 2)
"""The learning check passes only if training passes on every one of these."""


@dataclass(frozen=True)
class CartPoleConfig:
    num_envs: int = 32
    """Vectorised CartPole-v1 copies; each plays one full episode per iteration."""
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


THRESHOLD = CartPoleConfig.return_threshold


@dataclass(frozen=True)
class Learning:
    passed: bool
    """True when the window's mean return reached the threshold within the budget."""
    iterations: int
    """Rollouts played (the last one may have ended the run without an update)."""
    env_steps: int
    """Environment steps inside episodes, summed over all iterations."""
    returns: tuple[float, ...]
    """Mean episode return per iteration: the learning curve."""
    seconds: float
    """Wall time of the whole run, oracle calls included."""
    reason: str
    """One plain sentence: why it passed or failed."""


def train(loss_grad: LossGrad, seed: int, config: CartPoleConfig = CartPoleConfig()) -> Learning:
    """REINFORCE on CartPole-v1 with gradients from `loss_grad`; deterministic per seed."""
    start = time.perf_counter()
    threads = torch.get_num_threads()
    # One thread makes the batch backward's reductions, hence the curve, independent of the caller.
    torch.set_num_threads(1)
    # The vector entry point makes a CartPoleVectorEnv (no wrappers): it has max_episode_steps.
    env = cast(
        "CartPoleVectorEnv",
        gym.make_vec(ENV, num_envs=config.num_envs, vectorization_mode="vector_entry_point"),
    )
    try:
        policy = _make_policy(config.hidden_size, seed)
        optimizer = _Adam(list(policy.parameters()), config.learning_rate)
        # A stream apart from the env's, which gymnasium seeds as default_rng(seed) too.
        rng = np.random.default_rng([seed, 1])
        returns: list[float] = []
        env_steps = 0
        passed, reason = False, ""
        for it in range(1, config.max_iters + 1):
            obs, actions, q_values, episode_returns = _rollout(env, policy, rng, seed if it == 1 else None)
            returns.append(float(episode_returns.mean()))
            env_steps += len(actions)
            recent = float(np.mean(returns[-config.window_iters :]))
            if len(returns) >= config.window_iters and recent >= config.return_threshold:
                # Checked before the update: a passing run saves its last oracle call.
                passed = True
                reason = (
                    f"mean return {recent:.0f} >= {config.return_threshold:.0f} "
                    f"over the last {config.window_iters} iterations after {it} iterations"
                )
                break
            problem = _update(policy, optimizer, loss_grad, obs, actions, q_values)
            if problem:
                reason = f"{problem} at iteration {it}"
                break
        else:  # the budget ran out
            best = max(np.convolve(returns, np.ones(config.window_iters) / config.window_iters, "valid"))
            reason = (
                f"mean return reached only {best:.0f} (threshold {config.return_threshold:.0f}) "
                f"in {config.max_iters} iterations"
            )
    finally:
        env.close()
        torch.set_num_threads(threads)
    return Learning(passed, len(returns), env_steps, tuple(returns), time.perf_counter() - start, reason)


def summary(learning: Learning) -> str:
    """Short text such as 'return 22 → 163 in 11 iterations (passed)'."""
    curve = learning.returns
    plural = "" if learning.iterations == 1 else "s"
    text = f"return {curve[0]:.0f} → {curve[-1]:.0f} in {learning.iterations} iteration{plural}"
    return f"{text} (passed)" if learning.passed else f"{text} (failed: {learning.reason})"


def _make_policy(hidden_size: int, seed: int) -> torch.nn.Sequential:
    # fork_rng: seed the initial weights without touching the caller's global torch RNG.
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return torch.nn.Sequential(torch.nn.Linear(4, hidden_size), torch.nn.Tanh(), torch.nn.Linear(hidden_size, 2))


class _Adam:
    """torch.optim.Adam's update with its defaults (betas 0.9, 0.999, eps 1e-8), written out:
    merely creating a torch.optim optimizer imports torch._dynamo, ~1.3 s and ~70 MB."""

    def __init__(self, params: list, lr: float):
        self.params, self.lr, self.steps = params, lr, 0
        self.avg = [torch.zeros_like(p) for p in params]
        self.avg_sq = [torch.zeros_like(p) for p in params]

    @torch.no_grad()
    def step(self) -> None:
        self.steps += 1
        correction1, correction2 = 1 - 0.9**self.steps, 1 - 0.999**self.steps
        for p, avg, avg_sq in zip(self.params, self.avg, self.avg_sq):
            avg.lerp_(p.grad, 0.1)
            avg_sq.mul_(0.999).addcmul_(p.grad, p.grad, value=0.001)
            p.addcdiv_(avg, (avg_sq.sqrt() / correction2**0.5).add_(1e-8), value=-self.lr / correction1)
            p.grad = None  # backward accumulates; the next iteration starts from zero


def _update(policy, optimizer: _Adam, loss_grad: LossGrad, obs, actions, q_values) -> str:
    """One policy-gradient step with dL/dlogits from the oracle; returns what went wrong, or ''."""
    logits = policy(torch.from_numpy(obs))
    # actions and q_values are fresh arrays; logits.numpy() is a view of the graph's tensor, hence the copy.
    grads = loss_grad(logits.detach().numpy().copy(), actions, q_values)
    grad = None if grads is None else grads.get("logits")
    problem = _grad_problem(grad, tuple(logits.shape))
    if not problem:
        # Same gradient as logits.backward(grad), bit for bit: d(sum(logits * grad))/dlogits = grad.
        # backward() with an explicit tensor imports sympy on first use (~0.5 s and ~40 MB).
        assert grad is not None  # _grad_problem: no gradient is a problem
        (logits * torch.from_numpy(grad.astype(np.float32))).sum().backward()
        optimizer.step()
    return problem


def _rollout(env: CartPoleVectorEnv, policy: torch.nn.Sequential, rng: np.random.Generator, reset_seed: Optional[int]):
    """One episode per env copy; returns obs (N, 4), actions (N,), q_values (N,), episode returns (E,)."""
    # The rollout needs no grad and goes one small step at a time, so the same network runs in
    # numpy: ~10 us a step, against ~50 us for a torch forward (env.step itself takes ~40 us).
    w1, b1, w2, b2 = (p.detach().numpy() for p in policy.parameters())
    num_envs, max_steps = env.num_envs, env.max_episode_steps
    obs_buf = np.zeros((max_steps, num_envs, 4), np.float32)
    act_buf = np.zeros((max_steps, num_envs), np.int64)
    rew_buf = np.zeros((max_steps, num_envs), np.float32)
    alive_buf: np.ndarray = np.zeros((max_steps, num_envs), bool)
    alive: np.ndarray = np.ones(num_envs, bool)
    obs, _ = env.reset(seed=reset_seed)
    for t in range(max_steps):
        obs_buf[t], alive_buf[t] = obs, alive
        logits = np.tanh(obs @ w1.T + b1) @ w2.T + b2
        # Gumbel-max trick: argmax(logits + Gumbel noise) is a sample from softmax(logits).
        act_buf[t] = (logits + rng.gumbel(size=logits.shape)).argmax(axis=1)
        # The env auto-resets a finished copy on its next step; `alive` masks those steps out.
        obs, reward, terminated, truncated, _ = env.step(act_buf[t])
        rew_buf[t] = reward * alive
        alive = alive & ~(terminated | truncated)
        if not alive.any():
            break
    rewards, alive_buf = rew_buf[: t + 1], alive_buf[: t + 1]
    # Undiscounted reward-to-go: a reversed cumulative sum over time (rewards after an episode's end are 0).
    reward_to_go = np.cumsum(rewards[::-1], axis=0)[::-1][alive_buf]
    # Advantage normalisation: the mean acts as a baseline (less variance) and the std keeps
    # the scale the same while episodes grow from ~20 to ~500 steps.
    q_values = ((reward_to_go - reward_to_go.mean()) / (reward_to_go.std() + 1e-8)).astype(np.float32)
    return obs_buf[: t + 1][alive_buf], act_buf[: t + 1][alive_buf], q_values, rewards.sum(axis=0)


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
