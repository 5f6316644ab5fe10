"""The whole homework's learning check: REINFORCE on CartPole-v1 with the student's reward-to-go
weighing the student's loss, as their homework would train. Each part also has its own learning
check with the other part's reference (reference.discrete.cartpole, reference.returns.cartpole),
so one bug does not cost the other part's learning points; this one shows the two together."""

from __future__ import annotations

from typing import List, Optional, Sequence

from grader.author import Learning, LossGrad, Progress
from reference.discrete import cartpole
from reference.returns.cartpole import GAMMA, RewardToGo, episodes_to_go

ENV, NEEDS, THRESHOLD, GRADING_SEEDS = cartpole.ENV, cartpole.NEEDS, cartpole.THRESHOLD, cartpole.GRADING_SEEDS
ALSO = ("discounted_reward_to_go",)  # the upload's other function it trains with, a keyword of train()


def train(
    loss_grad: LossGrad,
    seeds: Sequence[int] = GRADING_SEEDS,
    *,
    discounted_reward_to_go: RewardToGo,
    progress: Optional[Progress] = None,
) -> List[Learning]:
    """cartpole.train with the student's loss and q_values from their reward-to-go (GAMMA)."""
    to_go = episodes_to_go(discounted_reward_to_go, GAMMA)
    return cartpole.train(loss_grad, seeds, progress=progress, to_go=to_go)
