"""The Gaussian pseudo-loss, instructor side: the reference, the mistake catalog, InvertedPendulum."""

from grader.author import Solution
from reference.gaussian.mistakes import CATALOG, SAME_NUMBERS
from reference.gaussian.pseudo_loss import pseudo_loss as reference

# The learning module is imported only when the learning check runs (gymnasium, mujoco).
SOLUTIONS = {"pseudo_loss": Solution(reference, CATALOG, SAME_NUMBERS, learning="reference.gaussian.pendulum")}
