"""Where a wrong loss goes wrong: the probe variations it ignores, an N × N intermediate,
which rows of its gradient are wrong, which probes it gets right (see grader.naming.observations)."""

from __future__ import annotations

from functools import partial
from typing import Callable, List, Optional, Sequence, Tuple

import numpy as np

from grader.naming.probes import RTOL, Answers, Observation, Variation, agrees, close, close_grad, finite, scale, zero
from grader.text import fmt


def varied(a: Answers, variation: Variation) -> List[Observation]:
    index = {p.name: i for i, p in enumerate(a.probes)}
    base, varied = index[variation.base], index[variation.probe]
    if not (finite(a.mine[base]) and finite(a.mine[varied])):
        return []
    (mine_b, correct_b), (mine_v, correct_v) = a.pair(base), a.pair(varied)
    assert mine_b.value is not None and mine_v.value is not None
    assert correct_b.value is not None and correct_v.value is not None
    if _unchanged(mine_b.value, mine_v.value, scale(correct_b)) and not agrees(correct_b, correct_v):
        text = (
            f"your loss does not change when {variation.change}: it is {fmt(mine_b.value)} both times, "
            f"while the correct loss goes from {fmt(correct_b.value)} to {fmt(correct_v.value)}"
        )
        return [Observation(f"ignores {variation.argument}", text, varied, variation.ignored)]
    before, after = mine_b.value - correct_b.value, mine_v.value - correct_v.value
    if zero(before, scale(correct_b)) or not close(before, after):
        return []
    if not all(
        close_grad(mine_b.grads[n] - correct_b.grads[n], mine_v.grads[n] - correct_v.grads[n])
        for n in mine_b.grads.keys() & mine_v.grads.keys()
    ):
        return []
    label = next(arg.label for arg in a.contract.arguments if arg.name == variation.argument)
    text = (
        f"your loss minus the correct one is {fmt(before)} both before and after {variation.change}: "
        f"the part of your loss that is wrong does not depend on {label}"
    )
    return [Observation(f"extra term without {variation.argument}", text, varied, variation.offset)]


def _unchanged(a: float, b: float, size: float) -> bool:
    """The same number to RTOL of itself (no absolute floor: a small loss that moves, moves), or
    both zero next to the correct loss's size."""
    return abs(a - b) <= RTOL * max(abs(a), abs(b)) or (zero(a, size) and zero(b, size))


def quadratic(a: Answers) -> List[Observation]:
    for i in a.answered:
        mine, correct = a.pair(i)
        if mine.quadratic and not correct.quadratic:
            probe, size = a.probes[i], a.sizes(a.probes[i])[0][0]
            largest = max(x.size for x in probe.arrays)
            text = (
                f"an {size} × {size} intermediate: with {probe.rows} rows your code made a tensor of at least "
                f"{probe.rows} × {probe.rows} = {probe.rows**2} entries, where no input has more than {largest}"
            )
            return [Observation.of("quadratic", text, i)]
    return []


_LISTED = 6  # rows a sentence lists at most: a row that agrees by chance among 24 says nothing


def _rows_named(rows: Sequence[int]) -> str:
    words = [str(r) for r in rows]
    return f"row {words[0]}" if len(words) == 1 else f"rows {', '.join(words[:-1])} and {words[-1]}"


def wrong_rows(a: Answers) -> List[Observation]:
    """On the smallest probe where only some rows of the gradient are wrong: which ones."""
    name, _ = a.lead()
    for i in a.finite:
        mine, correct = a.pair(i)
        rows, wrong = a.probes[i].rows, _wrong(a, i, name)
        if rows < 2 or wrong is None:
            continue
        g, c = mine.grads[name], correct.grads[name]
        flat_rows = [r for r in wrong if zero(float(np.max(np.abs(g[r]))), scale(correct))]
        if 0 < len(wrong) < rows and max(len(wrong), rows - len(wrong)) <= _LISTED:
            right = [r for r in range(rows) if r not in wrong]
            flipped = all(close_grad(g[r], -c[r]) for r in wrong)
            verb = ("has" if len(wrong) == 1 else "have") + " the opposite sign of the correct one" if flipped else ""
            verb = verb or ("differs" if len(wrong) == 1 else "differ") + " from the correct one"
            text = (
                f"{_rows_named(wrong)} of your dL/d{name} {verb}{_which(a, i, wrong, right)}, and "
                f"{_rows_named(right)} {'agrees' if len(right) == 1 else 'agree'} (rows counted from 0)"
            )
            return [Observation.of("rows", text, i)]
        if 0 < len(flat_rows) < rows and max(len(flat_rows), rows - len(flat_rows)) <= _LISTED:
            others = [r for r in range(rows) if r not in flat_rows]
            text = (
                f"{_rows_named(flat_rows)} of your dL/d{name} {'is' if len(flat_rows) == 1 else 'are'} zero where the correct "
                f"one is not, and only {_rows_named(others)} {'is' if len(others) == 1 else 'are'} not (rows counted from 0)"
            )
            return [Observation.of("rows", text, i)]
    return []


def _wrong(a: Answers, i: int, name: str) -> Optional[List[int]]:
    """The rows of dL/d(name) that differ from the correct one on probe i (None: no such gradient)."""
    mine, correct = a.pair(i)
    if name not in mine.grads:
        return None
    g, c = mine.grads[name], correct.grads[name]
    return [r for r in range(len(g)) if not close_grad(g[r], c[r])]


def _which(a: Answers, i: int, wrong: List[int], right: List[int]) -> str:
    """What sets the wrong rows apart, read off a per-row argument: ' (exactly the rows where q < 0)'.
    Said only of a pattern that is a cause: it picks out the wrong rows on every probe that answered,
    and on at least two where it splits the rows (a coincidence of one probe is no cause)."""
    rows = a.probes[i].rows
    for k, (arg, array) in enumerate(zip(a.contract.arguments, a.probes[i].arrays)):
        if arg.differentiable or array.shape != (rows,):
            continue
        bad, good = array[wrong], array[right]
        patterns: List[Tuple[str, Callable[[np.ndarray], np.ndarray]]] = []
        if arg.dtype == "int64" and not set(bad.tolist()) & set(good.tolist()):
            values = sorted(set(bad.tolist()))
            shown = " or ".join(str(v) for v in values)
            patterns.append((f"{arg.label} is {shown}", partial(np.isin, test_elements=values)))
        if arg.dtype != "int64" and bad.max() < 0 <= good.min():
            patterns.append((f"{arg.label} < 0", lambda x: x < 0))
        if arg.dtype != "int64" and bad.min() > 0 >= good.max():
            patterns.append((f"{arg.label} > 0", lambda x: x > 0))
        for words, picks in patterns:
            if _cause(a, k, picks):
                return f" (exactly the rows where {words})"
    return ""


def _cause(a: Answers, k: int, picks: Callable[[np.ndarray], np.ndarray]) -> bool:
    name, _ = a.lead()
    split = 0
    for j in a.answered:
        wrong = _wrong(a, j, name) if j in a.finite else None
        if wrong is None:
            return False
        chosen = picks(a.probes[j].arrays[k])
        if set(np.flatnonzero(chosen).tolist()) != set(wrong):
            return False
        split += bool(0 < chosen.sum() < len(chosen))
    return split >= 2


def direction(a: Answers) -> List[Observation]:
    name, _ = a.lead()
    shown = [i for i in a.finite if name in a.pair(i)[0].grads]
    if not shown or len(shown) < len(a.answered):
        return []
    cosines = []
    for i in shown:
        g, c = (s.grads[name].ravel() for s in a.pair(i))
        norms = float(np.linalg.norm(g) * np.linalg.norm(c))
        cosines.append(float(g @ c) / norms if norms else 0.0)
    if not all(x < 0 for x in cosines):
        return []
    text = f"your dL/d{name} points away from the correct one {a.on(len(shown))} (their cosine is {fmt(cosines[0])} on the smallest)"
    return [Observation.of("direction", text, shown[0])]


def agreement(a: Answers) -> List[Observation]:
    right = [i for i in a.answered if agrees(*a.pair(i))]
    wrong = [i for i in a.answered if i not in right]
    if not right or not wrong:
        return []
    probes = "the test input" if len(right) == 1 else f"the {len(right)} test inputs"
    for name, value in a.sizes(a.probes[right[0]]):
        if {i for i in a.answered if dict(a.sizes(a.probes[i]))[name] == value} == set(right):
            text = f"your loss agrees with the correct one (to {RTOL:.1%}) on {probes} with {name} = {value} and on none of the other {len(wrong)}"
            return [Observation.of("agrees where", text, wrong[0])]
    text = f"your loss agrees with the correct one (to {RTOL:.1%}) on {len(right)} of the {len(a.answered)} test inputs that gave an answer"
    return [Observation.of("agrees where", text, wrong[0])]
