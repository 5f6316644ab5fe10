"""Property-based tests of what a child sends back: nothing in an answer makes the grader fault.

Two sources of answers, both without a sandbox (evaluate and parse run here):

- hostile: (header, arrays) as a child could put them on the pipe, valid-looking
  or not (missing keys, wrong types, NaN, huge numbers and shapes, shapes that
  disagree, empty arrays, other dtypes, extra keys). ``Answer.parse`` returns an
  Answer or raises ValueError, which SandboxOracle turns into a "garbage" Failure.
- honest: whatever a pseudo_loss can return or raise (any dtype and shape, 70
  dimensions, a 2**40-element view, Python objects, exceptions with no class
  name or an unreadable message), through ``evaluate`` and the real framing:
  such an answer always parses.

Every check and the diagnosis then run over the answers, as checks.run and
assess compose them, and must return text rather than raise.
"""

from __future__ import annotations

import random
import socket

import hypothesis.extra.numpy as hnp
import numpy as np
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from grader.calling.answer import VALUE_CAP, Answer, evaluate, make_inputs
from grader.calling.oracle import Failure, grad_shapes
from grader.checks import verdicts as checks
from grader.checks.trials import problem
from grader.course import rubric
from grader.naming import diagnosis as diagnose
from grader.sandbox import protocol

EXERCISE = rubric.exercise("discrete").parts[0]
CONTRACT = EXERCISE.contract
reference = rubric.solution("discrete", "pseudo_loss").reference

SETTINGS = settings(
    max_examples=200,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
CASES = [
    (case, EXERCISE.solve(reference, case))
    for case in (
        EXERCISE.make_case("policy", 1, (3, 2), False),
        EXERCISE.make_case("policy", 2, (1, 3), False),
        EXERCISE.make_case("policy", 3, (2, 4), True),
        EXERCISE.make_case("confident", 4, (2, 3), False),
        EXERCISE.make_case("extreme", 5, (4, 2), False),
    )
]

# --- hostile messages ---------------------------------------------------------------------------

# Pools of values, valid and not, picked by a chooser: hypothesis (sampled_from) in the parse test,
# a seeded random.Random in the checks test, which needs ~16 messages per example and would spend
# most of its time in hypothesis's draws otherwise.
TEXT = [None, "", " ", "\n", "\r\n", "A: b\n\n", "\x1b[2J", "\ud800", "é\u202e", "x" * 3000, "Error: y"]
JUNK = [
    None,
    True,
    False,
    0,
    -1,
    2**80,
    -(2**80),
    1.5,
    float("nan"),
    float("inf"),
    "",
    "x",
    [],
    [1, -2],
    [1.5],
    {"a": 1},
    [[None]],
    {"shape": [1]},
]
FIELDS = {
    "kind": ["answer"],
    "error": TEXT,
    "error_type": TEXT,
    "traceback": TEXT,
    "memory": [False, True],
    "returned": [None, "Tensor", "float", "ndarray", "NoneType", ""],
    "tensor": [False, True],
    "shape": [None, [], [1], [3], [0], [0, 2], [2**62], [1] * 64, [1] * 70, [1, 2, 3, 4, 5, 6], [3, 2]],
    "dtype": [None, "float32", "float64", "int64", "bool", "complex64", ""],
    "connected": [False, True],
    "backward_error": TEXT,
    "mutated": [[], ["logits"], ["actions", "q_values"], ["logits", "logits"], ["inputs"]],
    "largest": [None, 0, 7, 2**62],
    "seconds": [0.0, 0.25, 1e6, 5e-324],
}
SPECIAL = np.array([0.0, -0.0, 1.0, -3.5, 1e308, -1e308, 5e-324, np.nan, np.inf, -np.inf])


def array_like(pick, shape):
    """Usually a float64 array of the shape asked for (NaN, inf and huge values included)."""
    kind = pick(["right"] * 5 + ["shape", "dtype", "empty", "junk"])
    if kind == "junk":
        return pick(JUNK)
    dtype = pick([np.float32, np.int64, np.bool_]) if kind == "dtype" else np.float64
    if kind == "shape":
        shape = pick([(0,), (1,), (5,), (2, 2), (1, 1, 1, 1), (4, 3, 2)])
    elif kind == "empty":
        shape = (0,) + tuple(shape[1:])
    rng = np.random.default_rng(pick(range(1000)))
    values = rng.choice(SPECIAL, size=shape) * np.where(rng.random(shape) < 0.5, rng.normal(size=shape), 1.0)
    return values.astype(dtype) if dtype != np.float64 else values


def message(pick, n: int, a: int, junk: int = 1):
    """(header, arrays) from a child; each field is missing or junk with odds junk in 8 + junk."""
    arrays = {}
    value_shape = pick([(), (1,), (n,), (0,), (n, a), (2, 1, 1, 1)])
    for name, shape in (("value", value_shape), ("grad_logits", (n, a)), ("grad_q", (n,))):
        if pick([False, True]):
            arrays[name] = array_like(pick, shape)
    if pick(range(10)) == 0:
        arrays[pick(["logits", "x", ""])] = np.zeros(1)
    header = {}
    for key, pool in FIELDS.items():
        mode = pick(["valid"] * 8 + ["junk", "missing"] * junk)
        if mode == "valid":
            header[key] = isinstance(arrays.get("grad_logits"), np.ndarray) if key == "connected" else pick(pool)
        elif mode == "junk":
            header[key] = pick(JUNK)
    for _ in range(pick([0, 0, 1, 2])):
        header[pick(["arrays", "extra", "op", ""])] = pick(JUNK)
    return header, arrays


@st.composite
def messages(draw, n: int, a: int, junk: int = 1):
    return message(lambda options: draw(st.sampled_from(list(options))), n, a, junk)


def parsed(header, arrays, n: int, a: int):
    """What SandboxOracle.call makes of a message: an Answer, or a Failure for garbage."""
    try:
        return Answer.parse(header, arrays, CONTRACT, {"logits": (n, a)})
    except ValueError as exc:
        return Failure("garbage", f"the sandboxed process sent a malformed answer ({exc})")


class DrawingOracle:
    """An oracle whose every answer is a hostile message, made from a seed drawn on the spot."""

    def __init__(self, data, junk: int):
        self.data, self.junk = data, junk

    def call(self, *arrays, trace=False, again=False):
        n, a = arrays[0].shape  # logits
        rng = random.Random(self.data.draw(st.integers(0, 2**32), label="message seed"))
        return parsed(*message(lambda options: rng.choice(list(options)), n, a, self.junk), n, a)


@SETTINGS
@given(st.data(), st.sampled_from([(1, 2), (3, 2), (2, 5)]))
def test_parse_returns_an_answer_or_raises_value_error(data, shape):
    n, a = shape
    header, arrays = data.draw(messages(n, a, junk=2))
    try:
        answer = Answer.parse(header, arrays, CONTRACT, {"logits": (n, a)})
    except ValueError:
        return
    # What the checks rely on, whatever the child sent.
    assert answer.error is None or answer.error.strip()
    assert not answer.tensor or (answer.shape is not None and answer.dtype is not None)
    assert set(answer.grads) <= {"logits"} and answer.connected == bool(answer.grads)
    assert answer.grads.get("logits") is None or answer.grads["logits"].shape == (n, a)
    assert answer.value is None or answer.value.dtype == np.float64


@SETTINGS
@given(st.data())
def test_checks_and_diagnosis_never_raise_on_hostile_answers(data):
    oracle = DrawingOracle(data, junk=data.draw(st.sampled_from([0, 1])))
    run_everything(oracle)


# --- honest answers: anything a function returns or raises -------------------------------------

FLOAT_DTYPES = [torch.float32, torch.float64, torch.float16, torch.bfloat16]
OTHER_DTYPES = [torch.int64, torch.int32, torch.int8, torch.uint8, torch.bool, torch.complex64]


class Unprintable:
    def __repr__(self):
        raise RuntimeError("no repr")


def _raises_exit(self):
    raise SystemExit("from __str__")


STR_METHODS = {"plain": None, "raises": lambda self: 1 / 0, "exits": _raises_exit, "not str": lambda self: 42}


@st.composite
def exceptions(draw):
    """An exception class of the student's: maybe nameless, moduleless, with a __str__ that misbehaves."""
    base = draw(st.sampled_from([Exception, ValueError, MemoryError, KeyboardInterrupt, SystemExit]))
    method = STR_METHODS[draw(st.sampled_from(sorted(STR_METHODS)))]
    cls = type("Odd", (base,), {} if method is None else {"__str__": method, "__repr__": method})
    cls.__name__, cls.__qualname__ = draw(st.sampled_from(["", "Odd"])), draw(st.sampled_from(["", "Odd"]))
    cls.__module__ = draw(st.sampled_from(["builtins", "", "submission"]))
    args = draw(
        st.one_of(
            st.tuples(), st.tuples(st.text(max_size=20)), st.tuples(st.sampled_from(TEXT)), st.just((Unprintable(),))
        )
    )

    def make(logits):
        raise cls(*args)

    return make


@st.composite
def tensors(draw):
    dtype = draw(st.sampled_from(FLOAT_DTYPES + OTHER_DTYPES))
    shape = tuple(draw(st.lists(st.integers(0, 3), max_size=5)))
    floats = dtype in FLOAT_DTYPES or dtype == torch.complex64
    values = draw(
        hnp.arrays(np.float64, shape) if floats else hnp.arrays(np.int64, shape, elements=st.integers(-99, 99))
    )
    view = draw(st.sampled_from(["plain", "connected", "many dims", "huge view"])) if dtype in FLOAT_DTYPES else "plain"
    dims = draw(st.integers(5, 80))

    def make(logits):
        t = torch.tensor(values).to(dtype)
        if view == "plain":
            return t
        t = t.sum() + (logits.sum() * 0).to(dtype)  # a scalar connected to logits
        return t if view == "connected" else t.reshape([1] * dims) if view == "many dims" else t.expand(2**40)

    return make


PYTHON_VALUES = st.one_of(
    st.floats(),
    st.integers(-(2**100), 2**100),
    st.none(),
    st.sampled_from(TEXT),
    st.lists(st.floats(), max_size=5),
    st.dictionaries(st.text(max_size=3), st.floats(), max_size=2),
    hnp.arrays(np.float64, hnp.array_shapes(min_dims=0, max_dims=6, max_side=2)),
)
RESULTS = st.one_of(tensors(), exceptions(), PYTHON_VALUES.map(lambda value: lambda logits: value))


class PipedOracle:
    """evaluate() here, its message through the real framing, then Answer.parse: the sandbox path
    without the sandbox. The function answers the same on every call (it is deterministic)."""

    def __init__(self, make):
        self.function = lambda logits, actions, q_values: make(logits)
        self.inputs = None

    def call(self, *arrays, trace=False, again=False):
        if not (again and self.inputs is not None):
            self.inputs = make_inputs(CONTRACT, arrays)
        header, replies = evaluate(self.function, self.inputs, CONTRACT, trace)
        n, a = arrays[0].shape  # logits
        left, right = socket.socketpair()
        with left, right:
            protocol.send(left, header, replies)
            header, replies = protocol.recv(right, protocol.Bounds(payload_bytes=8 * (VALUE_CAP + n * a + n) + 1024))
        return Answer.parse(header, replies, CONTRACT, grad_shapes(CONTRACT, arrays))  # an honest answer parses


@SETTINGS
@given(RESULTS)
def test_any_result_or_exception_parses_and_is_graded_with_words(make):
    verdicts = run_everything(PipedOracle(make))
    assert "different answers" not in verdicts["purity"][1]  # it answered the same twice


# --- the checks and the diagnosis, composed as checks.run and assess.assess do ------------------


def run_everything(oracle) -> dict:
    (case, expected), rest = CASES[0], CASES[1:]
    first = checks.Trial(case, expected, oracle.call(*case.arrays))
    repeat = checks.Trial(case, expected, oracle.call(*case.arrays, again=True))
    trials = [first] + [checks.Trial(case, expected, oracle.call(*case.arrays)) for case, expected in rest]
    by_kind = {kind: [t for t in trials if t.case.kind == kind] for kind in ("policy", "confident", "extreme")}
    consistency = checks.consistency_problem(oracle, first, CONTRACT)
    assert consistency is None or isinstance(consistency, str)
    weights = {key: 1.0 for key in EXERCISE.titles if key != "learning"}
    results = checks.judge(by_kind, repeat, consistency, weights, EXERCISE)
    assert [result.key for result in results] == list(weights)
    verdicts = {result.key: (result.passed, result.output) for result in results}
    for passed, text in verdicts.values():
        assert isinstance(passed, bool) and isinstance(text, str) and text
    for trial in trials:
        outcome = trial.outcome
        assert problem(outcome) is None or isinstance(problem(outcome), str)
        if isinstance(outcome, Answer) and outcome.error is None:
            interface = checks.interface_problem(outcome, CONTRACT)
            assert interface is None or isinstance(interface, str)
    suspects, catalog = rubric.suspects("discrete", "pseudo_loss")
    outcomes = diagnose.ask_probes(oracle, EXERCISE.diagnostics)
    found = diagnose.diagnose(outcomes, EXERCISE.diagnostics, suspects, catalog)
    assert all(m in catalog for m in found.mistakes) and isinstance(found.feedback, str)
    return verdicts
