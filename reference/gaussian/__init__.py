"""The Gaussian pseudo-loss, instructor side: the reference, the mistake catalog, InvertedPendulum."""

from reference.gaussian.mistakes import CATALOG, SAME_NUMBERS
from reference.gaussian.pseudo_loss import pseudo_loss as reference

LEARNING = "reference.gaussian.pendulum"  # imported only when the learning check runs (gymnasium, mujoco)

__all__ = ["CATALOG", "LEARNING", "SAME_NUMBERS", "reference"]
