"""A walk-through: one small batch of a part worked through step by step, beside the student's answer.

An exercise's public module declares the data (through grader.author): the batch, the steps'
text, the last step's answer (and a loss's gradients) and its wrong turns, each what a known
mistake computes on the batch and the step where it leaves the steps. The rest is the same for
every exercise and is built here: the student's numbers beside the steps', the first wrong turn
their answer matches, and the check, when a walk-through is made, that its batch tells every
wrong turn apart from the right answer and from the others (else naming the first that matches
could name the wrong one).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, List, Mapping, Optional, Tuple, Union

import numpy as np

from grader.calling.answer import Answer

Value = Union[float, np.ndarray]
APART = 100  # the answers of a batch's steps and turns differ by this many tolerances at least
_GRAD_RTOL, _GRAD_ATOL = 1e-5, 1e-7  # a gradient entry that differs: of the largest correct one, and absolute


def num(x: float) -> str:
    """Four significant digits, and never "-0"."""
    text = f"{float(x):.4g}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text


def row(values: Any) -> str:
    """A row of numbers in columns, four decimals each."""
    return "[" + " ".join(f"{round(float(v), 4) + 0.0:8.4f}" for v in np.atleast_1d(values)) + " ]"  # no "-0.0000"


@dataclass(frozen=True)
class Turn:
    """A known wrong turn: what it gives on the batch instead of the steps' answer, and the step where it turns."""

    step: int
    answer: Value  # a loss's value (or, array-valued, what a loss that keeps one term per state returns)
    mistakes: Tuple[str, ...]  # the catalog's IDs of the mistakes that take this turn
    text: str = ""  # what went wrong there; "" for the first mistake's title and explanation from the catalog


@dataclass(frozen=True)
class Walkthrough:
    """One part's batch worked through step by step (`python -m grader explain`, `selfcheck.py --explain`)."""

    function: str  # the part's
    arrays: Tuple[np.ndarray, ...]  # the batch: the contract's arguments, in order
    steps: Callable[[], str]  # the correct computation on it, step by step
    answer: Value  # what the last step gives: the loss, or the array the function returns
    last_step: int
    turns: Tuple[Turn, ...]  # in the order they are tried
    tolerance: float  # how far (absolute) an answer may be from a step's and still be it
    gradients: Mapping[str, np.ndarray] = field(default_factory=dict)  # a loss's dL/d(argument), by argument
    shown: Optional[Callable[[Answer], List[str]]] = None  # a loss's lines showing the student's gradients
    reaches: str = ""  # what a loss's gradient must reach, as the student reads it: "the logits"
    not_scalar: str = ""  # added to "not a 0-dim tensor" when a loss returns more than one number
    not_finite: str = ""  # why a loss may not be finite on this batch: what to look at
    parted: str = "Where yours parts from the steps: step {step}. {Text}"  # {text}: as written; {Text}: capitalised
    unmatched: str = (
        "Yours is none of the usual wrong turns. Print your intermediate values on this batch and "
        "compare them with the steps above: the first that differs is where to look."
    )

    def __post_init__(self):
        answers = [self.answer, *(turn.answer for turn in self.turns)]
        for i, one in enumerate(answers):
            if any(self._same(one, other, APART * self.tolerance) for other in answers[:i]):
                raise ValueError(f"{self.function}: two steps of the walk-through give the same answer on its batch")

    @property
    def loss(self) -> bool:
        return bool(self.gradients)

    @staticmethod
    def _same(one: Value, other: Value, tolerance: float) -> bool:
        """Answers of one shape within tolerance of each other everywhere (NaN is nothing's)."""
        a, b = np.asarray(one, np.float64), np.asarray(other, np.float64)
        return a.shape == b.shape and bool(np.all(np.abs(a - b) <= tolerance))

    def _given(self, answer: Answer) -> Optional[np.ndarray]:
        """The numbers the student's function gave, as the steps' answers are compared with them."""
        if self.loss and answer.scalar is not None:
            return np.asarray(answer.scalar)
        return None if answer.value is None else answer.value.reshape(-1) if self.loss else answer.value

    def named(self, answer: Answer) -> Optional[Turn]:
        """The first wrong turn whose answer is the student's; None when theirs is the steps' or none is."""
        given = self._given(answer)
        if given is None or self._same(given, self.answer, self.tolerance):
            return None
        return next((turn for turn in self.turns if self._same(given, turn.answer, self.tolerance)), None)

    def compare(self, answer: Answer, catalog: Mapping[str, Any]) -> str:
        """The student's answer on the batch, and the first step where it parts from the steps
        (catalog: the mistakes' texts by ID, for a turn that has none of its own)."""
        lines, said = self._loss_lines(answer) if self.loss else self._array_lines(answer)
        if not said:
            turn = self.named(answer)
            lines.append("   " + (self._parted(turn, catalog) if turn else self.unmatched))
        return "\n".join(lines)

    def _parted(self, turn: Turn, catalog: Mapping[str, Any]) -> str:
        text = turn.text
        if not text:
            entry = catalog.get(turn.mistakes[0])
            text = f"{entry.title}. {entry.explanation}" if entry else f"the known mistake {turn.mistakes[0]}."
        first = text[:1].upper() if text[:1].isascii() else text[:1]  # δ is not Δ
        return self.parted.format(step=turn.step, text=text, Text=first + text[1:])

    def _loss_lines(self, answer: Answer) -> Tuple[List[str], bool]:
        """A loss's value and gradients, and whether they already say why it is right or wrong (else a turn does)."""
        value = answer.scalar
        if value is None:
            shape = "unknown" if answer.shape is None else str(tuple(answer.shape))
            said = (
                f"   Your function returned a {answer.returned} of shape {shape}, not a 0-dim tensor{self.not_scalar}."
            )
            turn = self.named(answer)
            return [said] + ([f"   {turn.text}"] if turn else []), True
        lines = [f"   L = {num(value)}   (step {self.last_step} gives {num(float(self.answer))})"]
        lines += self.shown(answer) if self.shown else []
        if not np.isfinite(value) and self.not_finite:
            return lines + [f"   Your loss is {num(value)} on this batch, {self.not_finite}"], True
        if self._same(np.asarray(value), self.answer, self.tolerance):
            return lines + [self._same_value(answer)], True
        return lines, False

    def _same_value(self, answer: Answer) -> str:
        """The steps' value: is the gradient theirs too?"""
        last, plural = self.last_step, "s" if len(self.gradients) > 1 else ""
        if not answer.connected:
            return (
                f"   Your value is step {last}'s, but no gradient reaches {self.reaches}: something on the way left "
                "autograd (.item(), .numpy(), .detach(), torch.tensor(...)), so the policy cannot learn."
            )
        for name, expected in self.gradients.items():
            grad = answer.grads[name]
            wrong = np.argwhere(np.abs(grad - expected) > _GRAD_RTOL * float(np.max(np.abs(expected))) + _GRAD_ATOL)
            if len(wrong):
                at = tuple(int(k) for k in wrong[0])
                where = ", ".join(str(k) for k in at)
                return (
                    f"   Your value is step {last}'s, but not your gradient{plural}: dL/d{name}[{where}] should be "
                    f"{num(expected[at])}, yours is {num(grad[at])}."
                )
        return f"   Yours matches at every step: the same value and the same gradient{plural}."

    def _array_lines(self, answer: Answer) -> Tuple[List[str], bool]:
        """An array function's output beside the last step's, and whether they already say why it is right or wrong."""
        expected = np.asarray(self.answer, np.float64)
        if answer.value is None:
            return [f"   Your function returned a {answer.returned}, not an array of numbers."], True
        got = answer.value
        lines = [f"   yours:  {row(got.reshape(-1))}", f"   step {self.last_step}: {row(expected)}"]
        if got.shape != expected.shape:
            return lines + [
                f"   Yours has shape {tuple(got.shape)}, where step {self.last_step} gives {expected.shape}."
            ], True
        if self._same(got, expected, self.tolerance):
            return lines + ["   Yours matches at every step."], True
        off = int(np.argmax(~(np.abs(got - expected) <= self.tolerance)))
        lines.append(
            f"   The first entry that differs is [{off}]: {num(expected[off])} correct, {num(got[off])} yours."
        )
        return lines, False
