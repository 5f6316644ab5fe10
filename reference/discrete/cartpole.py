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
from typing import List, Optional, Sequence

import torch

from grader.author import Learning, LossGrad, Progress
from reference.discrete.lockstep import Lockstep
from reference.discrete.seed import CartPoleConfig, Seed, ToGo, undiscounted

ENV = "CartPole-v1"
NEEDS = ("gymnasium",)  # to install besides numpy and torch, for a student running this check
GRADING_SEEDS = (0, 1, 2)
"""The learning check passes only if training passes on every one of these."""
THRESHOLD = CartPoleConfig.return_threshold


def train(
    loss_grad: LossGrad,
    seeds: Sequence[int] = GRADING_SEEDS,
    config: CartPoleConfig = CartPoleConfig(),
    stop_early: bool = True,
    progress: Optional[Progress] = None,
    to_go: ToGo = undiscounted,
) -> List[Learning]:
    """REINFORCE on CartPole-v1 for every seed in lock-step, gradients from `loss_grad`; one
    Learning per seed that ended, in the order of `seeds`. stop_early: end every run as soon as
    one fails (the check fails then anyway), leaving out the seeds still running; False runs
    each to its own end. progress: told of every iteration as it ends. to_go: each step's
    reward-to-go, before it is standardised into q_values. Deterministic per seed."""
    start = time.perf_counter()
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # for policy.matmul, see there
    lockstep = Lockstep(ENV, [Seed(seed, config, k == 0, progress, to_go) for k, seed in enumerate(seeds)])
    try:
        ended = lockstep.run(loss_grad, start, stop_early)
    finally:
        lockstep.env.close()
        torch.set_num_threads(threads)
    return sorted(ended, key=lambda run: list(seeds).index(run.seed))
