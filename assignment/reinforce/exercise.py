"""REINFORCE as the policy-gradient homework hands it in: the returns exercise's three functions
and the discrete exercise's pseudo_loss in one file or notebook, each part graded as its own
exercise grades it (its cases, checks, points; its learning check with a correct partner,
grader.learning.trainings), and one more check that trains with the student's reward-to-go and
loss together, whatever they are. This module is public."""

from grader.author import Check, Exercise

TOGETHER = Check(
    "together",
    "Trains a CartPole-v1 policy: your reward-to-go and your loss together",
    (),
    uses="learning",
    together=True,
)
EXERCISE = Exercise(components=("returns", "discrete"), adds={"pseudo_loss": (TOGETHER,)}, stub="reinforce.py")
