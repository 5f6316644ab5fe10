"""The reward-to-go's learning check: REINFORCE on CartPole-v1 with the student's reward-to-go.

The discrete exercise's trainer (reference.discrete.cartpole) plays and updates as it does for a
pseudo-loss; here its q_values come from the student's `discounted_reward_to_go`, asked once per
episode (its rewards, (T,), and GAMMA) in the sandboxed child, and its gradient from a correct
pseudo-loss: the reference's in numpy, or the student's own where the homework is handed in
whole and it passes its public checks (grader.learning.trainings). A reward-to-go bug that stops
learning shows as it would in the homework; one that only slows it costs nothing here (the
value checks name it).
"""

from __future__ import annotations

from typing import Callable, Dict, List, Optional, Sequence, Union

import numpy as np

from grader.author import Learning, LossGrad, Progress
from reference.discrete import cartpole
from reference.discrete.seed import ToGo

ENV, NEEDS, THRESHOLD = cartpole.ENV, cartpole.NEEDS, cartpole.THRESHOLD
GRADING_SEEDS = (0, 1, 2)
GAMMA = 0.99  # below 1, so a discount applied from the episode's start (γ^t', not γ^(t'−t)) shows
PARTNERS = ("pseudo_loss",)  # a keyword of train(); its default is the reference's
TRAINING = f"REINFORCE on {ENV}, rewards-to-go discounted by {GAMMA}"  # reference.reinforce.cartpole's too
RewardToGo = Callable[..., Optional[np.ndarray]]  # (rewards (T,), gamma ()) -> (T,), None: no usable answer


def reference_gradient(logits: np.ndarray, actions: np.ndarray, q_values: np.ndarray) -> dict:
    """d/dlogits of −mean(log softmax(logits)[action] · q): (softmax − one-hot) · q / N."""
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    probs = shifted / shifted.sum(axis=1, keepdims=True)
    probs[np.arange(len(actions)), actions] -= 1.0
    return {"logits": (probs * q_values[:, None] / len(q_values)).astype(np.float32)}


def episodes_to_go(reward_to_go: RewardToGo, gamma: float) -> ToGo:
    """The trainer's to_go from a reward-to-go function of one trajectory, asked once per distinct
    episode: CartPole's rewards are all 1, so episodes of one length ask the same question (a
    function that answers it differently twice loses the purity check's points, not these)."""
    answers: Dict[bytes, np.ndarray] = {}

    def to_go(rewards: np.ndarray, alive: np.ndarray) -> Union[np.ndarray, str]:
        out = np.zeros(rewards.shape)
        for column, length in enumerate(alive.sum(axis=0)):
            episode = rewards[:length, column].astype(np.float64)
            if episode.tobytes() not in answers:
                got = reward_to_go(episode, np.asarray(gamma))
                if got is None:
                    return "the reward-to-go gave no usable answer"
                if np.shape(got) != (length,) or not np.isfinite(got).all():
                    return f"the reward-to-go of a {length}-step episode was not {length} finite numbers"
                answers[episode.tobytes()] = np.asarray(got, np.float64)
            out[:length, column] = answers[episode.tobytes()]
        return out

    return to_go


def reinforce(
    loss_grad: LossGrad,
    reward_to_go: RewardToGo,
    seeds: Sequence[int] = GRADING_SEEDS,
    progress: Optional[Progress] = None,
) -> List[Learning]:
    """cartpole.train with this loss and q_values from reward_to_go (discounted by GAMMA): the
    one training of every check with TRAINING, whichever part's function each is for."""
    return cartpole.train(loss_grad, seeds, progress=progress, to_go=episodes_to_go(reward_to_go, GAMMA))


def train(
    reward_to_go: RewardToGo,
    seeds: Sequence[int] = GRADING_SEEDS,
    *,
    pseudo_loss: LossGrad = reference_gradient,
    progress: Optional[Progress] = None,
) -> List[Learning]:
    """The reward-to-go's check: REINFORCE with it and a correct loss (pseudo_loss)."""
    return reinforce(pseudo_loss, reward_to_go, seeds, progress)
