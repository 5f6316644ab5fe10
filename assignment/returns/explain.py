"""The returns worked through on small inputs, beside the student's own numbers.

`python -m grader explain --exercise returns SUB` and `python selfcheck.py --explain` print
it: one trajectory of four steps with γ = 0.9, its return and its reward-to-go step by step,
and one GAE batch of two trajectories (terminals, next values, δs, advantages); then each
function's answer on the same inputs, the first entry where it differs, and the step where a
known wrong turn leaves the steps (named with its catalog text). The numbers are computed here
in float64 from the formulas of the handout's README; tests/exercises/test_every_exercise.py
checks them against the reference. This module is public (the handout ships it).
"""

from __future__ import annotations

import numpy as np

from grader.author import Turn, Walkthrough, num, row

REWARDS = np.array([1.0, 2.0, 3.0, 4.0])  # the handout README's worked example, as the batch below
GAMMA = 0.9
TOLERANCE = 1e-4  # of the size of the terms each entry sums (the grader's own, see exercise.py)

T = len(REWARDS)
STEPS = np.arange(T)
DISCOUNTS = GAMMA**STEPS  # γ^t, from γ^0 = 1
WEIGHED = DISCOUNTS * REWARDS
RETURN = np.full(T, WEIGHED.sum())


def _backwards(terms: np.ndarray, factors: np.ndarray) -> np.ndarray:
    """out_i = terms_i + factors_i · out_{i+1}, from the last entry back (out_n = 0)."""
    out = np.zeros(len(terms))
    following = 0.0
    for i in reversed(range(len(terms))):
        following = terms[i] + factors[i] * following
        out[i] = following
    return out


REWARD_TO_GO = _backwards(REWARDS, np.full(T, GAMMA))


def _factor(x: float) -> str:
    return num(x) if x >= 0 else f"({num(x)})"


def _sum_text(weights: np.ndarray, values: np.ndarray) -> str:
    return " + ".join(f"{num(w)} × {_factor(v)}" for w, v in zip(weights, values))


def return_steps() -> str:
    return "\n".join(
        [
            f"One trajectory, step by step: T = {T} steps, γ = {GAMMA}.",
            "",
            f"1. rewards r_t, t = 0 … {T - 1}:  {row(REWARDS)}",
            f"2. discounts γ^t, counted from the trajectory's start (γ^0 = 1): {row(DISCOUNTS)}",
            f"3. γ^t · r_t:  {row(WEIGHED)}",
            f"4. the return G = their sum = {_sum_text(DISCOUNTS, REWARDS)} = {num(RETURN[0])};",
            f"   every entry of the answer is G (the whole trajectory's return): {row(RETURN)}",
        ]
    )


def reward_to_go_steps() -> str:
    by_entry = [f"     t = {t}: {_sum_text(DISCOUNTS[: T - t], REWARDS[t:])} = {num(REWARD_TO_GO[t])}" for t in STEPS]
    by_loop = [
        f"     R_{t} = {num(REWARDS[t])} + {GAMMA} × {_factor(REWARD_TO_GO[t + 1]) if t + 1 < T else 0} = {num(REWARD_TO_GO[t])}"
        for t in reversed(STEPS)
    ]
    return "\n".join(
        [
            f"The same trajectory (r = {row(REWARDS)}, γ = {GAMMA}), step by step.",
            "",
            "1. entry t sums the rewards from step t to the end only: what came before t is not its consequence",
            "2. reward t′ is weighed by γ^(t′ − t), counted from t: r_t itself by 1",
            *by_entry,
            "3. the same numbers from the end back, as a loop computes them: R_t = r_t + γ·R_(t+1), stored in entry t",
            *by_loop,
            f"   reward-to-go: {row(REWARD_TO_GO)}",
        ]
    )


_TRAJECTORY = (REWARDS.astype(np.float64), np.asarray(GAMMA))
_TRAJECTORY_TOLERANCE = TOLERANCE * float(np.abs(REWARDS).sum())
_FORWARD = _backwards(REWARDS[::-1], np.full(T, GAMMA))[::-1]  # entry t sums the rewards up to t

# --- one GAE batch: two trajectories laid end to end -------------------------------------------
B_REWARDS = np.array([1.0, 0.0, 2.0, 1.0, 1.0])
B_VALUES = np.array([0.5, 0.2, 1.0, 0.3, 0.4])
TERMINALS = np.array([0.0, 0.0, 1.0, 0.0, 1.0])
LAMBDA = 0.8
B = len(B_REWARDS)
GOING = 1.0 - TERMINALS
FOLLOWING_VALUES = np.append(B_VALUES[1:], 0.0)  # V_(i+1), the batch's next entry whichever trajectory it is of
NEXT_VALUES = FOLLOWING_VALUES * GOING  # step 2
DELTAS = B_REWARDS + GAMMA * NEXT_VALUES - B_VALUES  # step 3
ADVANTAGES = _backwards(DELTAS, GAMMA * LAMBDA * GOING)  # step 4


def gae_steps() -> str:
    ends = [int(i) for i in np.flatnonzero(TERMINALS)]
    deltas = [
        f"     i = {i}: {num(B_REWARDS[i])} + {GAMMA} × {num(NEXT_VALUES[i])} - {num(B_VALUES[i])} = {num(DELTAS[i])}"
        for i in range(B)
    ]
    sums = [
        f"     i = {i}: A_{i} = {num(DELTAS[i])} + {num(GAMMA * LAMBDA)} × {_factor(ADVANTAGES[i + 1])} = {num(ADVANTAGES[i])}"
        if GOING[i]
        else f"     i = {i}: A_{i} = δ_{i} = {num(ADVANTAGES[i])}   (its trajectory ends here: nothing follows)"
        for i in reversed(range(B))
    ]
    return "\n".join(
        [
            f"One batch, step by step: B = {B} steps of two trajectories laid end to end, γ = {GAMMA}, λ = {LAMBDA}.",
            "",
            f"1. the batch; terminals d_i = 1 at each trajectory's last step (steps {ends[0]} and {ends[1]})",
            f"     rewards r    {row(B_REWARDS)}",
            f"     values V     {row(B_VALUES)}",
            f"     terminals d  {row(TERMINALS)}",
            "2. V_(i+1)·(1 - d_i): the next state's value, and 0 at a trajectory's last step, where the batch's",
            "   next entry is the first state of another trajectory",
            f"     {row(NEXT_VALUES)}",
            "3. δ_i = r_i + γ·V_(i+1)·(1 - d_i) - V_i",
            *deltas,
            f"4. A_i = δ_i + γλ·(1 - d_i)·A_(i+1) from the last step back (γλ = {num(GAMMA * LAMBDA)});",
            "   the sum starts again at each trajectory's last step",
            *sums,
            f"   advantages: {row(ADVANTAGES)}",
        ]
    )


def _gae(deltas: np.ndarray, going: np.ndarray = GOING) -> np.ndarray:
    return _backwards(deltas, GAMMA * LAMBDA * going)


_ACROSS = B_REWARDS + GAMMA * FOLLOWING_VALUES - B_VALUES  # δ that bootstraps from the next trajectory


def _standardised(values: np.ndarray) -> np.ndarray:
    """numpy's std (over N) and a small epsilon: the common spelling."""
    return (values - values.mean()) / (values.std() + 1e-8)


_BATCH_SIZES = np.abs(B_REWARDS) + np.abs(B_VALUES) + GAMMA * np.abs(NEXT_VALUES)

WALKTHROUGHS = (
    Walkthrough(
        "discounted_return",
        _TRAJECTORY,
        return_steps,
        RETURN,
        4,
        (
            Turn(2, np.full(T, REWARDS.sum()), ("return_not_discounted",)),
            Turn(2, np.full(T, GAMMA * RETURN[0]), ("discount_starts_at_gamma",)),
            Turn(4, REWARD_TO_GO, ("return_is_reward_to_go",)),
        ),
        _TRAJECTORY_TOLERANCE,
    ),
    Walkthrough(
        "discounted_reward_to_go",
        _TRAJECTORY,
        reward_to_go_steps,
        REWARD_TO_GO,
        3,
        (
            Turn(2, np.cumsum(WEIGHED[::-1])[::-1], ("exponent_t_prime_not_t_prime_minus_t",)),
            Turn(1, RETURN, ("first_return_everywhere",)),
            Turn(1, _FORWARD, ("accumulated_forward",)),
            Turn(2, np.cumsum(REWARDS[::-1])[::-1], ("reward_to_go_not_discounted",)),
            Turn(3, REWARDS.copy(), ("sum_not_accumulated",)),
        ),
        _TRAJECTORY_TOLERANCE,
    ),
    Walkthrough(
        "gae_advantages",
        (B_REWARDS, B_VALUES, TERMINALS, np.asarray(GAMMA), np.asarray(LAMBDA)),
        gae_steps,
        ADVANTAGES,
        4,
        (
            Turn(2, _gae(_ACROSS), ("bootstraps_across_trajectories",)),
            Turn(2, _gae(_ACROSS, np.ones(B)), ("terminals_ignored",)),
            Turn(3, _gae(DELTAS + B_VALUES), ("value_not_subtracted",)),
            Turn(3, _gae(B_REWARDS + LAMBDA * NEXT_VALUES - B_VALUES), ("lambda_and_gamma_swapped",)),
            Turn(4, _gae(DELTAS, np.ones(B)), ("sum_runs_across_trajectories",)),
            Turn(4, DELTAS, ("lambda_ignored",)),
            Turn(4, _standardised(ADVANTAGES), ("advantages_normalized",)),
        ),
        TOLERANCE * float(_BATCH_SIZES.sum()),
    ),
)
