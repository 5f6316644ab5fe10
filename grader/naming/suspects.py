"""The suspects a student is matched against, built once per process from the trusted catalog.

A loss's (Diagnostics) are its reference and catalog entries, each as it is,
with each of the exercise's Variants, and each of those times −1, times N and
times the entry's Spellings (grader.naming.variants); an array function's
(Matching) are its reference and catalog entries as they are. Order matters:
the reference comes first, and among equally simple matches the first wins.
"""

from __future__ import annotations

from typing import Any, Callable, FrozenSet, List, Optional, Sequence, Tuple, Union

import torch

from grader.calling.oracle import LocalOracle
from grader.naming.diagnosis import PROPERTY_MISTAKES
from grader.naming.matching import Matching
from grader.naming.probes import Diagnostics, Probe, Sig, Suspect, scaled, signature
from grader.naming.variants import Spelling, Variant

Arrays = Tuple[Any, ...]


def build_suspects(
    naming: Union[Diagnostics, Matching], reference: Callable, catalog: Sequence, same_numbers: Sequence[FrozenSet[str]]
) -> List[Suspect]:
    """Every suspect of a part, the reference's first; catalog: the part's Mistakes."""
    twins = set().union(*same_numbers) if same_numbers else set()
    if isinstance(naming, Matching):
        return [Suspect(frozenset(), naming.outputs(reference), False)] + [
            Suspect(frozenset({m.id}), naming.outputs(m.function), m.id in twins) for m in catalog if m.function
        ]
    rules = naming.suspects
    left_out = {*PROPERTY_MISTAKES, naming.unstable, naming.inexact, *rules.left_out}
    entries = [m for m in catalog if m.id not in left_out]
    bases: List[Tuple[FrozenSet[str], Callable, bool, bool]] = [(frozenset(), reference, False, False)]
    bases += [(frozenset({m.id}), m.function, m.id in twins, m.random_value) for m in entries]
    suspected = {m.id for m in entries}
    suspects = []
    for ids, function, twin, random_value in bases:
        # The reference with a variant whose mistake is a suspect of its own is that suspect again.
        variants = [v for v in rules.variants if v.mistake not in ids and (ids or v.mistake not in suspected)]
        answered = [(ids, _answers(function, naming, random_value))]
        answered += [(ids | {v.mistake}, _answers(function, naming, random_value, v)) for v in variants]
        spellings = rules.spellings.get(next(iter(ids), ""), (Spelling(),))
        for variant_ids, sigs in answered:
            for sign, by_n, extra in reductions(sigs, rules.flipped, rules.summed, variant_ids):
                for spelling in spellings:
                    factors = [_factor(naming, p, sign, by_n, spelling) for p in naming.probes]
                    suspects.append(Suspect(variant_ids | extra, scaled(sigs, factors), twin))
    return suspects


def _factor(naming: Diagnostics, probe: Probe, sign: float, by_n: bool, spelling: Spelling) -> float:
    sizes = dict(naming.sizes(probe))
    times = sizes[spelling.times] if spelling.times else 1
    per = sizes[spelling.per] if spelling.per else 1
    return sign * spelling.constant * (probe.rows if by_n else 1) * times / per


def _answers(
    function: Callable, naming: Diagnostics, random_value: bool, variant: Optional[Variant] = None
) -> Tuple[Optional[Sig], ...]:
    """A catalog entry's signatures; one whose value is fresh random draws is matched on its
    gradients alone (value None), drawn without touching the caller's random state."""
    if variant is None:
        transform = None
    else:
        at = naming.contract.names.index(variant.argument)
        transform = lambda arrays: (*arrays[:at], variant.change(arrays[at]), *arrays[at + 1 :])  # noqa: E731
    if not random_value:
        return answer_all(function, naming, transform)
    with torch.random.fork_rng(devices=[]):
        sigs = answer_all(function, naming, transform)
    return tuple(None if s is None else Sig(None, s.grads, s.quadratic) for s in sigs)


def answer_all(
    function: Callable, diagnostics: Diagnostics, transform: Optional[Callable[[Arrays], Arrays]] = None
) -> Tuple[Optional[Sig], ...]:
    """A trusted function's signature on every probe; transform(arrays) changes the inputs first."""
    oracle = LocalOracle(function, diagnostics.contract)
    sigs = []
    for probe in diagnostics.probes:
        arrays = probe.arrays if transform is None else transform(probe.arrays)
        sigs.append(signature(oracle.call(*arrays, trace=probe.trace), probe))
    return tuple(sigs)


def reductions(
    sigs: Sequence[Optional[Sig]], flipped: str, summed: str, made: FrozenSet[str] = frozenset()
) -> List[Tuple[float, bool, FrozenSet[str]]]:
    """The output changes any mean-reduced loss can make, as (sign, times N, the IDs they add):
    none, ×−1 (`flipped`), ×N (`summed`, a sum instead of a mean over the batch) and both. A loss
    whose gradient is zero anyway gets no `flipped`: its sign is not a mistake worth naming; a loss
    that already makes one of them (made: its IDs) does not make it twice (a sign flipped twice is
    the loss itself, a batch summed twice is no mistake of the catalog)."""
    flat = all(sig is None or sig.flat for sig in sigs)
    flip = frozenset() if flat else frozenset({flipped})
    changes = [
        (1.0, False, frozenset()),
        (-1.0, False, flip),
        (1.0, True, frozenset({summed})),
        (-1.0, True, flip | {summed}),
    ]
    return [(sign, by_n, ids) for sign, by_n, ids in changes if not ids & made]
