"""What a submission and the grader agree on: the function's name and its arguments.

An exercise states its contract as data (assignment/<name>/exercise.py); the
grader builds inputs, backpropagates and validates answers from it alone, on
both sides of the sandbox. It crosses to the sandboxed child as JSON.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Dict, Tuple

SUBMISSION_FILE = "submission.py"  # the name the submission's code is compiled under in the child
DTYPES = ("float32", "int64")  # what an argument may be: the loss's inputs are floats and indices


@dataclass(frozen=True)
class Argument:
    name: str  # the parameter's name in the stub
    dtype: str  # one of DTYPES
    differentiable: bool = False  # the grader asks for dL/d(this argument)
    short: str = ""  # how feedback names it beside numbers ("q" for q_values); the name if empty

    @property
    def label(self) -> str:
        return self.short or self.name


@dataclass(frozen=True)
class Contract:
    function: str  # what the submission must define
    arguments: Tuple[Argument, ...]  # in the order the function takes them

    def __post_init__(self):
        if not self.function.isidentifier() or not self.arguments:
            raise ValueError(f"bad contract {self}")
        if any(a.dtype not in DTYPES or not a.name.isidentifier() for a in self.arguments):
            raise ValueError(f"bad argument in {self}")
        if not self.differentiable:
            raise ValueError(f"{self.function} has no differentiable argument")

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
        }

    @classmethod
    def from_json(cls, data: Dict) -> Contract:
        return cls(str(data["function"]), tuple(Argument(*map(_plain, spec)) for spec in data["arguments"]))


def _plain(value):
    if not isinstance(value, (str, bool)):
        raise ValueError(f"bad contract field {value!r}")
    return value
