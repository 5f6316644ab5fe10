"""The discrete pseudo-loss, instructor side: the reference, the mistake catalog, CartPole."""

from reference.discrete.mistakes import CATALOG, SAME_NUMBERS
from reference.discrete.pseudo_loss import pseudo_loss as reference

LEARNING = "reference.discrete.cartpole"  # imported only when the learning check runs (gymnasium)

__all__ = ["CATALOG", "LEARNING", "SAME_NUMBERS", "reference"]
