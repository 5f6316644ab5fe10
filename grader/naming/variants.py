"""What a loss exercise declares of its suspects, as data; the engine builds them (grader.naming.suspects).

A suspect is the reference or a catalog entry, possibly with one of its
arguments changed before the loss reads it (a ``Variant``: q standardised
inside the loss, q ignored), and with its output times a constant: ×−1 and ×N
for every loss (a flipped sign, a sum over the batch where the mean belongs)
and, for some entries, the factors their common spellings put on it (a
``Spelling``: a sum over the actions where a mean was meant, half a squared
error).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Mapping, Tuple

import numpy as np


@dataclass(frozen=True)
class Variant:
    """A mistake made by changing one argument before the loss reads it, on top of any other.
    A mistake may have several variants (each way of writing it), each its own suspect."""

    mistake: str  # the catalog ID it adds
    argument: str  # the contract argument it changes
    change: Callable[[np.ndarray], np.ndarray]  # the argument as the mistake reads it


@dataclass(frozen=True)
class Spelling:
    """The constant factor one way of writing a mistake puts on the loss: constant × times ÷ per,
    times and per being a probe's named sizes (Diagnostics.sizes), or 1 when empty."""

    constant: float = 1.0
    times: str = ""
    per: str = ""


@dataclass(frozen=True)
class SuspectRules:
    """Which catalog entries are suspects and what varies them. Never suspects: the property
    mistakes and Diagnostics.unstable and .inexact, which are read off the answers."""

    left_out: Tuple[str, ...] = ()  # catalog IDs whose implementation stands for none of its variants
    variants: Tuple[Variant, ...] = ()
    spellings: Mapping[str, Tuple[Spelling, ...]] = field(default_factory=dict)  # by catalog ID; else Spelling()
    flipped: str = "sign_flipped"  # the catalog ID of the loss times −1
    summed: str = "sum_reduction"  # ... of the loss times N, the batch's size


def standardized(values: np.ndarray, ddof: int, epsilon: float) -> np.ndarray:
    """(values − mean) / (std + epsilon), in float64 and returned as float32; NaN when there are no
    more values than ddof, as torch's unbiased std of one sample, and 0 / 0 without an epsilon."""
    values = values.astype(np.float64)
    if values.size <= ddof:
        return np.full(values.shape, np.nan, np.float32)
    with np.errstate(invalid="ignore", divide="ignore"):
        return ((values - values.mean()) / (values.std(ddof=ddof) + epsilon)).astype(np.float32)
