"""The discrete pseudo-loss, instructor side: the reference, the mistake catalog, CartPole."""

from grader.author import Solution
from reference.discrete.mistakes import CATALOG, SAME_NUMBERS
from reference.discrete.pseudo_loss import pseudo_loss as reference

# The learning module is imported only when the learning check runs (gymnasium).
SOLUTIONS = {"pseudo_loss": Solution(reference, CATALOG, SAME_NUMBERS, learning="reference.discrete.cartpole")}
