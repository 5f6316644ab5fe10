"""The loss's learning checks in the whole homework: REINFORCE on CartPole-v1 with the student's
loss and q_values from a reward-to-go discounted as the homework's is (γ = 0.99), the same
training as the reward-to-go's check (reference.returns.cartpole, one TRAINING). Its own check
trains with a correct reward-to-go, the student's when it passes its public checks, else the
reference's, which the grader gives (no default here: this module ships in the handout); the
`together` check with the student's, whatever it is (grader.learning.trainings)."""

from __future__ import annotations

from typing import List, Optional, Sequence

from grader.author import Learning, LossGrad, Progress
from reference.returns.cartpole import ENV, GRADING_SEEDS, NEEDS, THRESHOLD, TRAINING, RewardToGo, reinforce

__all__ = ["ENV", "GRADING_SEEDS", "NEEDS", "THRESHOLD", "TRAINING", "PARTNERS", "train"]
PARTNERS = ("discounted_reward_to_go",)  # a keyword of train(), given by the grader


def train(
    loss_grad: LossGrad,
    seeds: Sequence[int] = GRADING_SEEDS,
    *,
    discounted_reward_to_go: RewardToGo,
    progress: Optional[Progress] = None,
) -> List[Learning]:
    """The loss's check: REINFORCE with it and this reward-to-go."""
    return reinforce(loss_grad, discounted_reward_to_go, seeds, progress)
