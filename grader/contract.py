"""What a submission and the grader agree on: the function's name, its arguments, what it returns.

An exercise states each part's contract as data (assignment/<name>/exercise.py);
the grader builds inputs, backpropagates and validates answers from it alone, on
both sides of the sandbox. It crosses to the sandboxed child as JSON.

Two kinds of function are graded: a torch loss (``returns="loss"``: tensors in,
a 0-dim tensor out, gradients asked of its differentiable arguments) and a
numpy function (``returns="array"``: arrays and numbers in, an array of numbers
out — a numpy array, a list or a tensor — and no gradient).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Literal, Tuple, get_args

import numpy as np

SUBMISSION_FILE = "submission.py"  # the name the submission's code is compiled under in the child
Dtype = Literal["float32", "float64", "int64", "number"]  # "number": a Python float, such as a discount
Returns = Literal["loss", "array"]
DTYPES: Tuple[str, ...] = get_args(Dtype)
RETURNS: Tuple[str, ...] = get_args(Returns)


@dataclass(frozen=True)
class Argument:
    name: str  # the parameter's name in the stub
    dtype: Dtype
    differentiable: bool = False  # the grader asks for dL/d(this argument)
    short: str = ""  # how feedback names it beside numbers ("q" for q_values); the name if empty

    @property
    def label(self) -> str:
        return self.short or self.name

    @property
    def array_dtype(self) -> str:
        """The numpy dtype it crosses to the child as: a number is a 0-dim float64 array."""
        return "float64" if self.dtype == "number" else self.dtype

    def array(self, values) -> np.ndarray:
        return np.asarray(values, self.array_dtype)


@dataclass(frozen=True)
class Contract:
    function: str  # what the submission must define
    arguments: Tuple[Argument, ...]  # in the order the function takes them
    returns: Returns = "loss"

    def __post_init__(self):
        if not self.function.isidentifier() or not self.arguments or self.returns not in RETURNS:
            raise ValueError(f"bad contract {self}")
        if any(a.dtype not in DTYPES or not a.name.isidentifier() for a in self.arguments):
            raise ValueError(f"bad argument in {self}")
        if self.loss != bool(self.differentiable):
            raise ValueError(f"{self.function}: a loss has differentiable arguments, an array function none")

    @property
    def loss(self) -> bool:
        """Whether the function is a torch loss (tensors in, gradients asked) rather than numpy's."""
        return self.returns == "loss"

    @property
    def names(self) -> Tuple[str, ...]:
        return tuple(a.name for a in self.arguments)

    @property
    def differentiable(self) -> Tuple[str, ...]:
        """The arguments a gradient is asked for, in order; the first is the one feedback leads with."""
        return tuple(a.name for a in self.arguments if a.differentiable)

    def to_json(self) -> Dict[str, object]:
        return {
            "function": self.function,
            "arguments": [[a.name, a.dtype, a.differentiable, a.short] for a in self.arguments],
            "returns": self.returns,
        }

    @classmethod
    def from_json(cls, data: Dict) -> Contract:
        arguments = tuple(Argument(*map(_plain, spec)) for spec in data["arguments"])
        return cls(str(data["function"]), arguments, _plain(data["returns"]))


def _plain(value):
    if not isinstance(value, (str, bool)):
        raise ValueError(f"bad contract field {value!r}")
    return value
