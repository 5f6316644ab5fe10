"""The returns of the policy-gradient homework: three numpy functions, each a part with its own points.

discounted_return(rewards (T,), gamma) -> (T,), every entry sum_t gamma^t r_t;
discounted_reward_to_go(rewards (T,), gamma) -> (T,), entry t = sum_{t' >= t} gamma^(t' - t) r_t';
gae_advantages(rewards, values, terminals (B,), gamma, gae_lambda) -> (B,), with
delta_i = r_i + gamma V_{i+1} (1 - d_i) - V_i and A_i = delta_i + gamma lambda (1 - d_i) A_{i+1}.
Arrays are float64, gamma and gae_lambda Python floats. This module is public (the handout ships
it); the references, the catalogs and the hidden cases are in reference/returns/.
"""

from __future__ import annotations

from typing import Callable, Tuple

import numpy as np

from grader.author import Argument, Case, Check, Contract, Exercise, Expected, Matching, Part, make_probe

MAX_STEPS = 2048  # a correct T x T discount matrix (32 MB) still fits the sandbox's memory
# CPU seconds the largest public case (2048 steps) may take. Measured in the sandbox on a 2.6 GHz EPYC:
# a loop over the steps about 1 ms (over 1000 times within), a T x T discount matrix 50 ms, the
# definition's loop inside a loop 0.5 s (three times within, for a slower CPU); a loop inside a loop
# with np.power per term 3.5 s.
BUDGET_S = 1.5
TOLERANCE = 1e-4  # of the size of the terms each entry sums: float32 accumulation passes, a wrong index does not
_EDGE_GAMMAS = (0.0, 1.0)  # by seed, for one trajectory
_EDGE_PAIRS = ((0.0, 0.0), (1.0, 1.0), (0.0, 1.0), (1.0, 0.0))  # (gamma, lambda) by seed, for GAE

REWARDS, GAMMA = Argument("rewards", "float64"), Argument("gamma", "number", short="γ")
RETURN = Contract("discounted_return", (REWARDS, GAMMA), returns="array")
REWARD_TO_GO = Contract("discounted_reward_to_go", (REWARDS, GAMMA), returns="array")
GAE = Contract(
    "gae_advantages",
    (
        REWARDS,
        Argument("values", "float64"),
        Argument("terminals", "float64"),
        GAMMA,
        Argument("gae_lambda", "number", short="λ"),
    ),
    returns="array",
)


def _speed(steps: str) -> Check:
    return Check("speed", f"Fast enough: {steps} = {MAX_STEPS} in {BUDGET_S:g} s of CPU time", ("speed",))


def _trajectory_checks(what: str) -> Tuple[Check, ...]:
    return (
        Check("interface", "Interface: returns a float array of shape (T,)", ("ordinary", "edges")),
        Check("value", f"{what} equals the reference", ("ordinary",)),
        Check("edges", "Correct at the edges: one step, γ = 0 or 1, a thousand steps", ("edges",), uses="value"),
        Check("purity", "Pure: rewards unchanged, same answer twice", ("ordinary", "edges")),
        _speed("T"),
    )


def _rewards(rng: np.random.Generator, steps: int) -> np.ndarray:
    """Half the trajectories have integer rewards (CartPole's are all 1): an integer output truncates nothing there."""
    if rng.random() < 0.5:
        return rng.integers(-1, 4, size=steps).astype(np.float64)
    return rng.normal(0.5, 1.0, size=steps)


def make_trajectory(kind: str, seed: int, sizes: Tuple[int, ...], hidden: bool = False) -> Case:
    (steps,) = sizes
    if not 1 <= steps <= MAX_STEPS:
        raise ValueError(f"bad case {kind} {seed} {steps}")
    rng = np.random.default_rng(seed)
    gamma = _EDGE_GAMMAS[seed % 2] if kind == "edges" else rng.uniform(0.8, 0.999)
    return Case(kind, seed, hidden, (_rewards(rng, steps), np.asarray(gamma)), (("T", steps),))


def make_batch(kind: str, seed: int, sizes: Tuple[int, ...], hidden: bool = False) -> Case:
    """K trajectories laid end to end in B steps; 'boundaries' has many short ones, 'speed' long ones."""
    steps, count = sizes
    if not 1 <= count <= steps <= MAX_STEPS:
        raise ValueError(f"bad case {kind} {seed} {steps} {count}")
    rng = np.random.default_rng(seed)
    terminals = np.zeros(steps)
    terminals[rng.choice(np.arange(steps - 1), size=count - 1, replace=False)] = 1.0
    terminals[-1] = 1.0
    rewards = _rewards(rng, steps)
    values = rng.normal(2.0, 1.5, size=steps)
    if kind == "edges":
        gamma, lam = _EDGE_PAIRS[seed % 4]
    else:
        gamma, lam = rng.uniform(0.9, 0.999), rng.uniform(0.8, 1.0)
    arrays = (rewards, values, terminals, np.asarray(gamma), np.asarray(lam))
    return Case(kind, seed, hidden, arrays, (("B", steps), ("K", count)))


def _solved(function: Callable, case: Case, sizes_of_terms: np.ndarray) -> Expected:
    """The trusted function's answer; each entry may stray by TOLERANCE of the terms it sums."""
    inputs = [float(a) if a.ndim == 0 else a.copy() for a in case.arrays]
    value = np.asarray(function(*inputs), np.float64)
    return Expected(value, atol=TOLERANCE * np.abs(sizes_of_terms) + 1e-12)


def solve_trajectory(function: Callable, case: Case) -> Expected:
    """The same function on |rewards| sums the sizes of each entry's terms."""
    rewards, gamma = case.arrays
    return _solved(function, case, np.asarray(function(np.abs(rewards), float(gamma)), np.float64))


def solve_batch(function: Callable, case: Case) -> Expected:
    """GAE of the terms' sizes (|r_i| + |V_i| + γ|V_i+1|, values zero) sizes each advantage's terms."""
    rewards, values, terminals, gamma, lam = case.arrays
    following = np.append(np.abs(values[1:]), 0.0) * (1 - terminals)
    sizes = np.abs(rewards) + np.abs(values) + float(gamma) * following
    terms = function(sizes, np.zeros_like(values), terminals.copy(), float(gamma), float(lam))
    return _solved(function, case, np.asarray(terms, np.float64))


def _trajectory_probes(contract: Contract) -> Tuple:
    rng = np.random.default_rng(5)
    return (
        make_probe(contract, "one step", [3.0], 0.9),
        make_probe(contract, "four steps", [1.0, 2.0, 3.0, 4.0], 0.9),
        make_probe(contract, "undiscounted", [1.0, -2.0, 3.0], 1.0),
        make_probe(contract, "mixed", [0.5, -1.0, 2.0, 0.0, 3.0], 0.5),
        make_probe(contract, "seven", np.round(rng.normal(0.5, 1.0, 7), 2), 0.95),
    )


def _batch_probes() -> Tuple:
    rng = np.random.default_rng(6)
    mixed_ends = np.zeros(10)
    mixed_ends[[2, 6, 9]] = 1.0
    return (
        make_probe(GAE, "single steps", [1.0, -1.0, 2.0, 0.5], [0.5, 0.2, 1.0, 0.3], [1.0, 1.0, 1.0, 1.0], 0.9, 0.8),
        make_probe(GAE, "one trajectory", [1.0, 0.0, 2.0, 1.0], [0.5, 0.2, 1.0, 0.3], [0, 0, 0, 1.0], 0.9, 0.8),
        make_probe(
            GAE, "two trajectories", [1.0, 0.0, 2.0, 1.0, 1.0], [0.5, 0.2, 1.0, 0.3, 0.4], [0, 0, 1.0, 0, 1.0], 0.9, 0.8
        ),
        make_probe(
            GAE, "mixed", np.round(rng.normal(0.5, 1, 10), 2), np.round(rng.normal(2, 1, 10), 2), mixed_ends, 0.99, 0.95
        ),
    )


PARTS = (
    Part(
        RETURN,
        _trajectory_checks("The return"),
        make_trajectory,
        solve_trajectory,
        Matching(RETURN, _trajectory_probes(RETURN)),
        budget_s=BUDGET_S,
    ),
    Part(
        REWARD_TO_GO,
        (
            *_trajectory_checks("The reward-to-go"),
            Check("learning", "Trains a CartPole-v1 policy: your reward-to-go, a correct loss", ()),
        ),
        make_trajectory,
        solve_trajectory,
        Matching(REWARD_TO_GO, _trajectory_probes(REWARD_TO_GO)),
        budget_s=BUDGET_S,
    ),
    Part(
        GAE,
        (
            Check("interface", "Interface: returns a float array of shape (B,)", ("ordinary", "boundaries", "edges")),
            Check("value", "The advantages equal the reference", ("ordinary",)),
            Check(
                "boundaries", "Stops at every trajectory's end: many short trajectories", ("boundaries",), uses="value"
            ),
            Check("edges", "Correct at the edges: γ and λ 0 or 1, one step, long batches", ("edges",), uses="value"),
            Check("purity", "Pure: inputs unchanged, same answer twice", ("ordinary", "boundaries", "edges")),
            _speed("B"),
        ),
        make_batch,
        solve_batch,
        Matching(GAE, _batch_probes()),
        budget_s=BUDGET_S,
    ),
)
EXERCISE = Exercise(
    PARTS, stub="returns.py", walkthrough="explain.py", preload=("scipy.signal",)
)  # Spinning Up's discount_cumsum
