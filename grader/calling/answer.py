"""One call of the exercise's function: how it is made (``evaluate``) and what comes back (``Answer``).

``evaluate`` runs wherever the function lives: in the sandboxed child for a
submission, in-process for the trusted reference and mistake catalog. Both
paths produce the same message and go through the same ``Answer.parse``, so
the checks cannot tell them apart except by what the function did.
"""

from __future__ import annotations

import math
import random
import time
from dataclasses import dataclass
from typing import Callable, Dict, Mapping, Optional, Sequence, Tuple, cast

import numpy as np
import torch
from torch.overrides import TorchFunctionMode

from grader.calling.raised import TEXT_CAP, describe_error
from grader.contract import Argument, Contract
from grader.errors import AnswerError

VALUE_CAP = 65536  # elements of a returned tensor sent back in full (a (4096, 4096) mistake is not)
SHAPE_CAP = 64  # dimensions of a returned tensor's shape reported (torch allows thousands)


def seed_everything() -> None:
    """The random state a submission's code starts from wherever it runs (the sandboxed child,
    the self-check), so a loss that draws random numbers gets the same grade on every run and
    every machine."""
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)


# Bound before any submission is imported, so a submission that patches torch
# cannot change how its own answer is measured.
_grad = torch.autograd.grad
_enable_grad = torch.enable_grad
_tensor = torch.tensor
_equal = torch.equal
_no_torch_function = torch._C.DisableTorchFunction  # a submission's modes (set_default_device is one) and subclasses


class _Largest(TorchFunctionMode):
    """Records the largest tensor any torch call returns: a (N, N) product is how a
    broadcasting mistake differs from a look-alike with the very same numbers."""

    def __init__(self):
        super().__init__()
        self.largest = 0

    def __torch_function__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        if isinstance(out, torch.Tensor):
            self.largest = max(self.largest, out.numel())
        return out


Inputs = Tuple[object, ...]  # one tensor, array or number per argument of the contract, in its order
_TORCH_DTYPES = {"float32": torch.float32, "float64": torch.float64, "int64": torch.int64}


def make_inputs(contract: Contract, arrays: Sequence[np.ndarray]) -> Inputs:
    """Fresh inputs for one call, of the contract's dtypes: CPU tensors for a loss (differentiable
    ones require grad), numpy arrays for an array function; a "number" is a Python float."""
    if len(arrays) != len(contract.arguments):
        raise AnswerError(f"{contract.function} takes {len(contract.arguments)} arguments, not {len(arrays)}")
    return tuple(_input(contract, arg, array) for arg, array in zip(contract.arguments, arrays))


def _input(contract: Contract, arg: Argument, array: np.ndarray) -> object:
    if arg.dtype == "number":
        return float(np.asarray(array, np.float64).reshape(()))
    if not contract.loss:
        return np.array(array, dtype=arg.dtype)
    return _tensor(array, dtype=_TORCH_DTYPES[arg.dtype], device="cpu", requires_grad=arg.differentiable)


def _snapshot(value: object) -> object:
    """A copy of an input to tell later whether the call changed it in place."""
    if isinstance(value, torch.Tensor):
        return value.detach().clone()
    return value.copy() if isinstance(value, np.ndarray) else value


def evaluate(fn: Callable, inputs: Inputs, contract: Contract, trace: bool = False) -> Tuple[dict, dict]:
    """Call fn on the inputs, backpropagate, and describe the result as (header, arrays).
    With trace, also report the largest intermediate tensor (slower: a hook per torch call).
    Passing the same inputs twice shows whether a first call's in-place changes alter the answer."""
    before = tuple(_snapshot(value) for value in inputs)
    start, cpu = time.perf_counter(), time.thread_time()
    header: dict = {
        "kind": "answer",
        "error": None,
        "traceback": None,
        "memory": False,
        "returned": None,
        "tensor": False,
        "shape": None,
        "dtype": None,
        "connected": False,
        "backward_error": None,
        "mutated": [],
        "largest": None,
    }
    arrays: dict = {}
    largest = _Largest() if trace else None
    # Grad mode is forced on for the call and for reading its result: a submission may
    # have switched it off globally at import, and that is not its loss's fault.
    with _enable_grad():
        try:
            if largest is None:
                out = fn(*inputs)
            else:
                with largest:
                    out = fn(*inputs)
        except BaseException as exc:  # SystemExit and KeyboardInterrupt are the student's too
            header.update(describe_error(exc))
            header["seconds"] = time.perf_counter() - start
            return header, arrays
        # The calling thread's CPU time: the process's clock advances only by scheduler ticks in a child
        # under RLIMIT_CPU. The call's own time, not the reading of its result.
        header["cpu_seconds"] = time.thread_time() - cpu
        try:
            with _no_torch_function():  # read the result with torch's own functions, not a submission's
                _describe_result(out, inputs, contract, before, header, arrays)
        except BaseException as exc:  # a returned object that breaks when read (its methods are the student's)
            header.update(describe_error(exc, "reading the value the function returned raised "))
            arrays.clear()
    if largest is not None:
        header["largest"] = largest.largest
    header["seconds"] = time.perf_counter() - start
    return header, arrays


def _describe_result(
    out: object, inputs: Inputs, contract: Contract, before: tuple, header: dict, arrays: dict
) -> None:
    header["mutated"] = [name for name, old, new in zip(contract.names, before, inputs) if not _same(old, new)]
    header["returned"] = type(out).__name__[:100]
    header["tensor"] = isinstance(out, torch.Tensor)
    if isinstance(out, torch.Tensor):
        header.update(_describe_tensor(out))
        arrays.update(_tensor_value(out))
        if contract.loss:
            wrt = {name: t for name, t in zip(contract.names, inputs) if name in contract.differentiable}
            grads, error = _gradients(out, cast(Dict[str, torch.Tensor], wrt))
            header["backward_error"] = error
            header["connected"] = bool(grads)
            arrays.update(grads)
    else:
        described, value = _plain_value(out)
        arrays.update(value)
        if not contract.loss:  # an array function's result is told by its shape and dtype, as a tensor's is
            header.update(described)


def _same(old: object, new: object) -> bool:
    try:
        if isinstance(old, torch.Tensor) and isinstance(new, torch.Tensor):
            new = new.detach()
            return old.shape == new.shape and old.dtype == new.dtype and bool(_equal(old, new))
        if isinstance(old, np.ndarray) and isinstance(new, np.ndarray):
            return old.shape == new.shape and old.dtype == new.dtype and bool(np.array_equal(old, new, equal_nan=True))
        return type(old) is type(new) and old == new
    except Exception:
        return False


def _describe_tensor(out: torch.Tensor) -> dict:
    return {"shape": list(out.shape)[:SHAPE_CAP], "dtype": str(out.dtype).replace("torch.", "")}


def _tensor_value(out: torch.Tensor) -> dict:
    if out.numel() > VALUE_CAP or not (
        out.dtype.is_floating_point or out.dtype in (torch.int64, torch.int32, torch.bool)
    ):
        return {}
    value = out.detach()
    # Arrays cross the pipe with at most 4 dimensions (numpy has 64); "shape" says what came back.
    return {"value": (value if value.dim() <= 4 else value.reshape(-1)).to(torch.float64).cpu().numpy().copy()}


def _plain_value(out: object) -> Tuple[dict, dict]:
    """A float, numpy scalar or array, or a list of numbers still has a value worth comparing:
    (its shape and dtype, its value), both empty when it holds no numbers (None too, which numpy
    would read as NaN)."""
    if out is None:
        return {}, {}
    try:
        found = np.asarray(out)
        value = found.astype(np.float64)
    except Exception:
        return {}, {}
    described = {"shape": list(found.shape)[:SHAPE_CAP], "dtype": str(found.dtype)[:100]}
    return described, ({"value": value.copy()} if value.size <= VALUE_CAP and value.ndim <= 4 else {})


def _gradients(out: torch.Tensor, wrt: Dict[str, torch.Tensor]) -> Tuple[dict, Optional[str]]:
    """dL/d(each differentiable input) as "grad_<name>" arrays: all of them when the loss reaches
    any (an input it does not use has a zero gradient), none when it reaches none."""
    if out.numel() != 1 or not out.dtype.is_floating_point or not out.requires_grad:
        return {}, None
    try:
        found = _grad(out.reshape(()), list(wrt.values()), allow_unused=True)
    except BaseException as exc:
        return {}, describe_error(exc)["error"]
    if all(grad is None for grad in found):
        return {}, None
    return {
        f"grad_{name}": (torch.zeros_like(t) if grad is None else grad).detach().to(torch.float64).numpy().copy()
        for (name, t), grad in zip(wrt.items(), found)
    }, None


@dataclass(frozen=True)
class Answer:
    """What one call returned, as the grader sees it (already validated)."""

    error: Optional[str]  # "Type: message" when the call raised
    traceback: Optional[str]  # frames inside the submission, if any
    memory: bool  # the error was running out of memory
    returned: Optional[str]  # type name of the result
    tensor: bool  # the result is a torch.Tensor (or a subclass)
    shape: Optional[Tuple[int, ...]]
    dtype: Optional[str]
    connected: bool  # the loss reaches the differentiable inputs: grads has one per input
    backward_error: Optional[str]
    mutated: Tuple[str, ...]  # inputs changed in place
    largest: Optional[int]  # largest intermediate tensor's size, when traced
    seconds: float
    value: Optional[np.ndarray]  # float64, the returned value (when small enough)
    grads: Mapping[str, np.ndarray]  # dL/d(input) by argument name, float64; empty when not connected
    cpu_s: float = 0.0  # CPU time of the call itself in the calling thread (the speed check's); 0 if it raised

    @property
    def scalar(self) -> Optional[float]:
        """The loss as a number when a single finite-or-not value came back, else None."""
        if self.value is None or self.value.size != 1:
            return None
        return float(self.value.reshape(()))

    @classmethod
    def parse(cls, header: dict, arrays: dict, contract: Contract, shapes: Mapping[str, Tuple[int, ...]]) -> Answer:
        """Validate a message from evaluate() given the differentiable inputs' shapes; raise
        AnswerError (a ValueError, and nothing else) if anything is off."""
        if not isinstance(header, dict) or not isinstance(arrays, dict):
            raise AnswerError("a message is a header and a dict of arrays")
        error = _text(header.get("error"))
        frames = _text(header.get("traceback"))
        memory = _flag(header.get("memory"))
        returned = _text(header.get("returned"))
        tensor = _flag(header.get("tensor"))
        raw_shape = header.get("shape")
        shape = None if raw_shape is None else _shape(raw_shape)
        dtype = _text(header.get("dtype"))
        connected = _flag(header.get("connected"))
        backward_error = _text(header.get("backward_error"))
        mutated = _names(header.get("mutated"), contract.names)
        largest = _count(header.get("largest"))
        seconds = _seconds(header.get("seconds"))
        cpu_s = _seconds(header.get("cpu_seconds", 0.0))
        value = _array(arrays, "value", None)
        found = {name: _array(arrays, f"grad_{name}", tuple(shapes[name])) for name in contract.differentiable}
        grads = {name: grad for name, grad in found.items() if grad is not None}
        unknown = set(arrays) - {"value", *(f"grad_{name}" for name in contract.differentiable)}
        if unknown:
            raise AnswerError(f"unexpected arrays {sorted(unknown)}")
        if contract.loss and ((len(grads) == len(found)) != connected or (grads and not connected)):
            raise AnswerError("gradient flag and gradients disagree")
        if tensor and (shape is None or dtype is None):
            raise AnswerError("a tensor without a shape or a dtype")
        if grads and not contract.loss:
            raise AnswerError("gradients from a function that has none")
        if error is not None and not error.strip():
            error = "(an error with no message)"  # never blank: the checks quote its last line
        return cls(
            error=error,
            traceback=frames,
            memory=memory,
            returned=returned,
            tensor=tensor,
            shape=shape,
            dtype=dtype,
            connected=connected,
            backward_error=backward_error,
            mutated=mutated,
            largest=largest,
            seconds=seconds,
            value=value,
            grads=grads,
            cpu_s=cpu_s,
        )


def _text(value) -> Optional[str]:
    if value is None:
        return None
    if not isinstance(value, str):
        raise AnswerError("expected a string")
    return value[:TEXT_CAP]


def _flag(value) -> bool:
    if not isinstance(value, bool):
        raise AnswerError("expected a boolean")
    return value


def _shape(value) -> Tuple[int, ...]:
    if not isinstance(value, list) or len(value) > SHAPE_CAP or not all(type(n) is int and n >= 0 for n in value):
        raise AnswerError("bad shape")
    return tuple(value)


def _names(value, allowed: Tuple[str, ...]) -> Tuple[str, ...]:
    if not isinstance(value, list) or not all(v in allowed for v in value):
        raise AnswerError("bad list of mutated inputs")
    return tuple(dict.fromkeys(value))


def _count(value) -> Optional[int]:
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise AnswerError("bad count")
    return value


def _seconds(value) -> float:
    if type(value) is not float or not math.isfinite(value) or value < 0:
        raise AnswerError("bad duration")
    return value


def _array(arrays: dict, name: str, shape: Optional[tuple]) -> Optional[np.ndarray]:
    array = arrays.get(name)
    if array is None:
        return None
    if not isinstance(array, np.ndarray):
        raise AnswerError(f"{name} is not an array")
    if array.dtype != np.float64 or (shape is not None and array.shape != shape) or array.size > VALUE_CAP * 8:
        raise AnswerError(f"array {name} has dtype {array.dtype} and shape {array.shape}")
    return array
