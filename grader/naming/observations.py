"""What a wrong loss's answers on the probes show, when no catalog entry explains them.

Each observation is one true sentence with its numbers and the smallest probe
that shows it, read off the probe answers alone, in terms of the contract
(argument names, which are differentiable) and of what the exercise says about
its probes: their sizes (``Answers.sizes``) and which probes vary which
(``Variation``). A claim about "all probes" holds on every ordinary probe that
gave a number, and says how many did; a claim about a constancy needs two.

``Observation.kind`` keys the exercise's words for what an observation usually
means (``Diagnostics.meanings``): "constant", "zero gradient", "ratio F" (F as
printed: "−1", "N", "1/A", "0.001"), "offset", "single zero", "single nan",
"not finite", "ignores ARG", "extra term without ARG", "quadratic", "rows",
"agrees where", "direction", "varies".
"""

from __future__ import annotations

from typing import Dict, FrozenSet, List, Optional, Sequence, Tuple, get_args

import numpy as np

from grader.naming.patterns import agreement, direction, quadratic, varied, wrong_rows
from grader.naming.probes import (
    RTOL,
    Answers,
    Diagnostics,
    Kind,
    Observation,
    Sig,
    Sizes,
    Variation,
    agrees,
    close,
    close_grad,
    finite,
    flat,
    scale,
    zero,
)
from grader.text import fmt

__all__ = ["Answers", "Observation", "Sizes", "Variation", "constant", "observe"]  # the types, for exercises


def observe(answers: Answers, variations: Sequence[Variation]) -> List[Observation]:
    """Every observation that holds, the most telling first."""
    same = constant(answers)
    if same:  # the simplest truth: nothing else about such a loss matters
        return [same]
    found = _not_finite(answers) + _single_zero(answers) + _zero_gradient(answers)
    ratio = _ratio(answers)
    found += ratio or _offset(answers)
    for variation in variations:
        found += varied(answers, variation)
    found += quadratic(answers)
    found += [] if ratio else wrong_rows(answers) + direction(answers)
    found += agreement(answers)
    kinds = [o.kind for o in found]
    return [o for k, o in enumerate(found) if o.kind not in kinds[:k]] or _varies(answers)


def constant(a: Answers) -> Optional[Observation]:
    shown = a.finite
    if len(shown) < 2 or len(shown) < len(a.answered):
        return None
    values = [a.pair(i)[0].value for i in shown]
    if not all(close(v, values[0]) and flat(*a.pair(i)) for v, i in zip(values, shown)):
        return None
    value = float(values[0] or 0.0)
    if all(zero(value, scale(a.pair(i)[1])) for i in shown):
        return Observation.of(
            "constant", f"your loss is 0 for every input tried ({a.on(len(shown))}), so its gradient is 0", shown[0]
        )
    text = f"your loss is {fmt(value)} whatever the inputs ({a.on(len(shown))}) and its gradient is zero"
    return Observation.of("constant", text, shown[0])


def _not_finite(a: Answers) -> List[Observation]:
    bad = [i for i in a.answered if not finite(a.mine[i])]
    if not bad:
        return []
    mine = a.pair(bad[0])[0]
    assert mine.value is not None
    what = (
        "NaN" if np.isnan(mine.value) else "infinite" if not np.isfinite(mine.value) else "finite with a NaN gradient"
    )
    longer = [i for i in a.finite if a.probes[i].rows > 1]
    if all(a.probes[i].rows == 1 for i in bad) and longer:
        text = f"for a single sample your loss is {what}, while it is finite on the {len(longer)} test inputs with more rows"
        return [Observation.of("single nan", text, bad[0])]
    count = f"all {len(bad)}" if len(bad) == len(a.answered) else f"{len(bad)} of the {len(a.answered)}"
    text = f"your loss is not finite on {count} test inputs that gave an answer (on the smallest it is {what})"
    return [Observation.of("not finite", text, bad[0])]


def _single_zero(a: Answers) -> List[Observation]:
    for i in a.finite:
        mine, correct = a.pair(i)
        assert mine.value is not None and correct.value is not None
        if a.probes[i].rows == 1 and zero(mine.value, scale(correct)) and flat(mine, correct):
            text = f"for a single sample your loss is 0 and its gradient zero, where the correct loss is {fmt(correct.value)}"
            return [Observation.of("single zero", text, i)]
    return []


def _zero_gradient(a: Answers) -> List[Observation]:
    found = []
    for name in a.contract.differentiable:
        shown = [i for i in a.finite if name in a.pair(i)[0].grads]
        if shown and all(flat(*a.pair(i)) for i in shown):
            largest = float(np.max(np.abs(a.pair(shown[0])[1].grads[name])))
            text = (
                f"dL/d{name} is zero {a.on(len(shown))}, while the correct gradient is not "
                f"(its largest entry is {fmt(largest)} on the smallest test input)"
            )
            found.append(Observation.of("zero gradient", text, shown[0]))
    return found


KINDS: FrozenSet[str] = frozenset(get_args(Kind))  # probes.Kind, as the keys a meaning may have


def meaning_keys(diagnostics: Diagnostics) -> FrozenSet[str]:
    """Every observation kind a meaning can be given for: a misspelt key would drop its sentence silently."""
    sizes = diagnostics.sizes(diagnostics.probes[0])
    ratios = {f"ratio {sign}{label}" for label, _ in _expressions(sizes) for sign in ("", "−") if label != "1" or sign}
    varied = {
        kind for v in diagnostics.variations for kind in (f"ignores {v.argument}", f"extra term without {v.argument}")
    }
    return KINDS | ratios | varied


def _expressions(sizes: Sizes) -> List[Tuple[str, Dict[str, int]]]:
    """Simple expressions of the sizes a scale error is made of, as powers: 1, N, 1/N, A, 1/A, N·A, N/A, ..."""
    names = [n for n, _ in sizes]
    found: List[Tuple[str, Dict[str, int]]] = [("1", {})]
    for n in names:
        found += [(n, {n: 1}), (f"1/{n}", {n: -1})]
    for x, y in zip(names, names[1:]):
        found += [(f"{x}·{y}", {x: 1, y: 1}), (f"1/({x}·{y})", {x: -1, y: -1}), (f"{x}/{y}", {x: 1, y: -1})]
        found += [(f"{y}/{x}", {x: -1, y: 1})]
    return found


def _value(powers: Dict[str, int], sizes: Dict[str, int]) -> float:
    return float(np.prod([float(sizes[n]) ** p for n, p in powers.items()]))


def _factor(a: Answers, shown: List[int], ratios: List[float]) -> Optional[str]:
    """The printed factor yours / correct follows on every shown probe, if it is one."""
    sizes = [dict(a.sizes(a.probes[i])) for i in shown]
    fits = []
    for label, expression in _expressions(a.sizes(a.probes[shown[0]])):
        values = [_value(expression, s) for s in sizes]
        ks = [r / v for r, v in zip(ratios, values)]
        varies = len({round(v, 9) for v in values}) > 1
        if (label == "1" or varies) and all(abs(k - ks[0]) <= RTOL * abs(ks[0]) for k in ks):
            fits.append((label, ks[0]))
    unit = [(label, k) for label, k in fits if abs(abs(k) - 1) <= RTOL]
    if not fits or (unit and unit[0][0] == "1" and unit[0][1] > 0):
        return None  # no constant factor, or the factor 1: not a scale error
    label, k = (unit or [f for f in fits if f[0] == "1"] or fits)[0]
    if unit:
        return ("−" if k < 0 else "") + label
    number = "−" + fmt(-k) if k < 0 else fmt(k)  # a minus sign, not an exponent's
    return number if label == "1" else f"{number}/{label[2:]}" if label.startswith("1/") else f"{number}·{label}"


def _ratio(a: Answers) -> List[Observation]:
    shown = a.finite
    if len(shown) < 2 or len(shown) < len(a.answered):
        return []
    ratios, used = [], []
    for i in shown:
        mine, correct = a.pair(i)
        assert mine.value is not None and correct.value is not None
        if zero(correct.value, scale(correct)):
            if not zero(mine.value, scale(correct)):
                return []  # a multiple of 0 is 0
            continue
        ratios.append(mine.value / correct.value)
        used.append(i)
    factor = _factor(a, used, ratios) if len(used) >= 2 else None
    if factor is None:
        return []
    names = a.contract.differentiable
    off = [n for n in names if not all(_scaled(a.pair(i), r, n) for i, r in zip(used, ratios))]
    if not off:
        what, ones = f"your loss and its {a.gradients()} are", "ones"
    else:
        what, ones = f"your loss (not its {' or '.join(f'dL/d{n}' for n in off)}) is", "one"
    at = next((i for i, r in zip(used, ratios) if abs(r - 1) > RTOL), used[0])
    return [Observation(f"ratio {factor}", f"{what} {factor} times the correct {ones} {a.on(len(shown))}", at)]


def _scaled(pair: Tuple[Sig, Sig], ratio: float, name: str) -> bool:
    mine, correct = pair
    if name not in mine.grads:
        return False
    return close_grad(mine.grads[name], ratio * correct.grads[name])


def _offset(a: Answers) -> List[Observation]:
    """Every gradient right, the value wrong: something that does not move with the inputs was added."""
    shown = a.finite
    if not shown or len(shown) < len(a.answered):
        return []
    pairs = [a.pair(i) for i in shown]
    names = a.contract.differentiable
    if not all(n in m.grads and close_grad(m.grads[n], c.grads[n]) for m, c in pairs for n in names):
        return []
    offsets = [float(m.value or 0.0) - float(c.value or 0.0) for m, c in pairs]
    wrong = [i for i, (m, c) in zip(shown, pairs) if not close(m.value, c.value)]
    if not wrong:
        return []
    right = f"your {a.gradients()} {'is' if len(names) == 1 else 'are'} the correct one{'' if len(names) == 1 else 's'}"
    if len(shown) >= 2 and all(close(d, offsets[0]) for d in offsets):
        text = f"{right} {a.on(len(shown))}, and your loss is the correct one plus {fmt(offsets[0])}"
    else:
        text = f"{right} {a.on(len(shown))}, but your loss's value is not on {len(wrong)} of them"
    return [Observation.of("offset", text, wrong[0])]


def _varies(a: Answers) -> List[Observation]:
    """The last resort, still specific: yours against the correct loss on two probes where the
    ratio differs, or, where the ratio is the same on every probe, that the gradient is what is off."""
    shown = [i for i in a.finite if not zero(float(a.pair(i)[1].value or 0.0), scale(a.pair(i)[1]))]
    if not shown:
        return []
    ratios = [float(a.pair(i)[0].value or 0.0) / float(a.pair(i)[1].value or 1.0) for i in shown]
    if len(shown) == 1:
        value = "equals the correct one" if close(ratios[0], 1.0) else f"is {fmt(ratios[0])} times the correct one"
        text = f"on the only test input that gave a number your loss {value}"
        return [Observation.of("varies", text, shown[0])]
    other = next((k for k in range(1, len(shown)) if not close(ratios[k], ratios[0])), None)
    if other is not None:
        text = (
            f"your loss is not the correct one times a constant: yours / correct is {fmt(ratios[0])} on the "
            f"smallest test input and {fmt(ratios[other])} on {_named(a, shown[other])}"
        )
        return [Observation.of("varies", text, shown[other])]
    wrong = next((i for i in shown if not agrees(*a.pair(i))), shown[0])
    value = "equals the correct one" if close(ratios[0], 1.0) else f"is {fmt(ratios[0])} times the correct one"
    text = f"your loss {value} {a.on(len(shown))} (to {RTOL:.1%}), but not its {a.gradients()}"
    return [Observation.of("varies", text, wrong)]


def _named(a: Answers, i: int) -> str:
    """A probe by its sizes: 'the test input with N = 6, A = 4'."""
    return "the test input with " + ", ".join(f"{name} = {size}" for name, size in a.sizes(a.probes[i]))
