"""The mistake catalog and the submission corpus, checked against the reference in-process.

These are trusted fixtures, so they run here without the sandbox. Each case
compares full outcomes: did the call raise, what shape came back, is the result
connected to the logits, were the inputs changed, and the value and gradient
(float64 reference, rtol 1e-4 plus an absolute tolerance scaled to the case).
"""

from __future__ import annotations

import importlib.util
import itertools
import re
import sys
import warnings
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Callable, Dict, List, Optional, Tuple

import pytest
import torch

ROOT = Path(__file__).resolve().parents[2]
SUBMISSIONS = ROOT / "tests" / "submissions" / "discrete"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from reference.discrete import mistakes  # noqa: E402
from reference.discrete.pseudo_loss import pseudo_loss as reference_loss  # noqa: E402

RTOL = 1e-4
REQUIRED_IDS = {
    "sum_over_actions",
    "sign_flipped",
    "no_log",
    "greedy_labels",
    "unweighted",
    "broadcast",
    "sum_reduction",
    "unstable_log",
    "not_differentiable",
    "not_scalar",
    "double_softmax",
    "two_actions_only",
    "normalized_inside",
    "mutates_inputs",
    "logits_as_logprobs",
    "wrong_softmax_dim",
    "weight_after_reduction",
    "all_actions_weighted",
}


def _load_module(path: Path):
    name = "corpus_" + "_".join(path.relative_to(SUBMISSIONS).with_suffix("").parts)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = _load_module(SUBMISSIONS / "corpus.py")


@cache
def submission(relative: str) -> Callable:
    return _load_module(SUBMISSIONS / relative).pseudo_loss


# --- cases and outcomes ---


@dataclass(frozen=True, eq=False)  # identity hash: cases key the caches below
class Case:
    label: str
    logits: torch.Tensor  # (N, A) float32
    actions: torch.Tensor  # (N,) int64
    q_values: torch.Tensor  # (N,) float32

    @property
    def n(self) -> int:
        return self.logits.shape[0]

    @property
    def a(self) -> int:
        return self.logits.shape[1]

    @property
    def value_atol(self) -> float:
        """Rounding of float32 terms of size |q| * (logit spread) that may cancel in the sum."""
        spread = (self.logits.max(1).values - self.logits.min(1).values).double().mean()
        return 1e-6 * float(self.q_values.double().abs().mean() * (1 + spread))

    @property
    def grad_atol(self) -> float:
        """Gradient entries are at most |q| / N, and a float32 log-probability carries an absolute
        error of a few ulps of the largest logit, which p = exp(log p) turns into a relative one."""
        return 1e-6 * (1 + float(self.logits.abs().max())) * float(self.q_values.abs().max()) / self.n


def make_case(n: int, a: int, scale: float, seed: int, q: str = "standardised", actions: str = "uniform") -> Case:
    """Random logits times `scale`; q standardised (N > 1) or raw (mean and spread not 0, 1);
    actions uniform over all A (often very unlikely), sampled from the policy, or in {0, 1}."""
    gen = torch.Generator().manual_seed(seed)
    logits = (torch.randn(n, a, generator=gen, dtype=torch.float64) * scale).float()
    if actions == "uniform":
        acts = torch.randint(0, a, (n,), generator=gen)
    elif actions == "binary":
        acts = torch.randint(0, 2, (n,), generator=gen)
    elif actions == "sampled":
        acts = torch.multinomial(torch.softmax(logits.double(), -1), 1, generator=gen).squeeze(1)
    elif actions == "argmax":
        acts = logits.argmax(dim=1)
    else:
        raise ValueError(actions)
    qv = torch.randn(n, generator=gen, dtype=torch.float64)
    if q == "standardised" and n > 1:
        qv = (qv - qv.mean()) / qv.std(correction=0)
    else:
        qv = 2.0 * qv + 1.5
    label = f"N={n},A={a},scale={scale:g},seed={seed},q={q},actions={actions}"
    return Case(label, logits, acts, qv.float())


@dataclass(frozen=True)
class Outcome:
    error: Optional[str]
    shape: Optional[Tuple[int, ...]]
    connected: bool  # a gradient with respect to logits came back
    mutated: Tuple[str, ...]
    value: Optional[torch.Tensor]  # float64
    grad: Optional[torch.Tensor]  # float64, (N, A)

    @property
    def finite(self) -> bool:
        return self.value is not None and bool(torch.isfinite(self.value).all())


def call(fn: Callable, case: Case, dtype: torch.dtype = torch.float32) -> Outcome:
    """Call fn on fresh copies of the case, backpropagate a scalar result, record what happened."""
    logits = case.logits.to(dtype).clone().requires_grad_(True)
    actions = case.actions.clone()
    q_values = case.q_values.to(dtype).clone()
    before = (logits.detach().clone(), actions.clone(), q_values.clone())
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = fn(logits, actions, q_values)
    except Exception as exc:  # a catalog entry or corpus file that raises is an outcome too
        return Outcome(f"{type(exc).__name__}: {exc}", None, False, (), None, None)
    after = (logits.detach(), actions, q_values)
    mutated = tuple(
        name
        for name, old, new in zip(("logits", "actions", "q_values"), before, after)
        if old.shape != new.shape or not torch.equal(old, new)
    )
    if not isinstance(out, torch.Tensor):
        try:
            value = torch.tensor(float(out), dtype=torch.float64)
        except (TypeError, ValueError):
            value = None
        return Outcome(None, None, False, mutated, value, None)
    grad = None
    if out.numel() == 1 and out.requires_grad:
        (grad,) = torch.autograd.grad(out.reshape(()), [logits], allow_unused=True)
    return Outcome(
        None,
        tuple(out.shape),
        grad is not None,
        mutated,
        out.detach().double(),
        None if grad is None else grad.double(),
    )


def _close(got: Optional[torch.Tensor], want: Optional[torch.Tensor], atol: float) -> bool:
    if got is None or want is None:
        return got is None and want is None
    if got.shape != want.shape:
        return False
    if not (torch.isfinite(got).all() and torch.isfinite(want).all()):
        return False
    return bool(((got - want).abs() <= RTOL * want.abs() + atol).all())


def differences(got: Outcome, want: Outcome, case: Case, *, any_mutation: bool = False) -> List[str]:
    """How got differs from want; empty when they agree. Two non-finite values agree (their
    gradients are then NaN anyway); any_mutation compares 'mutated something' only."""
    if got.error or want.error:
        return [] if bool(got.error) == bool(want.error) else [f"error {got.error!r} vs {want.error!r}"]
    found = []
    if got.shape != want.shape:
        found.append(f"shape {got.shape} vs {want.shape}")
    if got.connected != want.connected:
        found.append(f"connected {got.connected} vs {want.connected}")
    if (bool(got.mutated) != bool(want.mutated)) if any_mutation else (got.mutated != want.mutated):
        found.append(f"mutated {got.mutated} vs {want.mutated}")
    if found:
        return found
    if not got.finite and not want.finite:
        return []
    if not _close(got.value, want.value, case.value_atol):
        found.append(f"value {got.value} vs {want.value}")
    if not _close(got.grad, want.grad, case.grad_atol):
        found.append("gradient differs" if got.grad is not None else "no gradient")
    return found


@cache
def reference_outcome(case: Case) -> Outcome:
    return call(reference_loss, case, torch.float64)


# Probes for the catalog and the mistakes: small and large N, two or more actions, ordinary and
# extreme logits, standardised and raw q, unlikely / sampled / {0, 1} actions.
PROBES: Tuple[Case, ...] = tuple(
    make_case(n, a, scale, seed, q, acts)
    for seed, (n, a, scale, q, acts) in enumerate(
        itertools.product(
            (1, 3, 16), (2, 3, 5), (1.0, 1000.0), ("standardised", "raw"), ("uniform", "sampled", "binary")
        )
    )
)

# Correct variants must match on every one of these, including N = 1 and |logits| ~ 1e3.
STABILITY: Tuple[Case, ...] = tuple(
    make_case(n, a, scale, 1000 + seed, q, acts)
    for seed, (n, a, scale, q, acts) in enumerate(
        itertools.product(
            (1, 2, 7, 64), (2, 3, 4, 5, 6), (1.0, 30.0, 1000.0), ("standardised", "raw"), ("uniform", "sampled")
        )
    )
)


@cache
def catalog_outcomes(mistake_id: str) -> Tuple[Outcome, ...]:
    return tuple(call(mistakes.by_id(mistake_id).function, case) for case in PROBES)


def _probe_subset(**where) -> List[Case]:
    return [c for c in PROBES if all(f"{k}={v}" in c.label.split(",") for k, v in where.items())]


IDS = [m.id for m in mistakes.CATALOG]


# --- the catalog itself ---


def test_ids_are_unique_and_cover_the_required_mistakes():
    assert len(IDS) == len(set(IDS))
    assert REQUIRED_IDS <= set(IDS), REQUIRED_IDS - set(IDS)
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", i) for i in IDS)


def test_by_id_returns_the_entry_and_rejects_unknown_ids():
    for entry in mistakes.CATALOG:
        assert mistakes.by_id(entry.id) is entry
    with pytest.raises(KeyError, match="sign_flipped"):
        mistakes.by_id("no_such_mistake")


@pytest.mark.parametrize("entry", mistakes.CATALOG, ids=IDS)
def test_feedback_text_is_one_titled_explanation_without_numbers(entry):
    assert entry.title and "\n" not in entry.title and len(entry.title) <= 100
    assert 150 <= len(entry.explanation) <= 900
    prose = re.sub(r"`[^`]*`", "", entry.explanation)  # code spans may hold dim=-1 and the like
    assert not re.search(r"\d", prose), "the diagnosis adds the numbers, the explanation has none"


def test_same_numbers_groups_name_catalog_ids():
    for group in mistakes.SAME_NUMBERS:
        assert len(group) >= 2 and group <= set(IDS)


@pytest.mark.parametrize("entry", mistakes.CATALOG, ids=IDS)
@pytest.mark.parametrize("n", [1, 4])
def test_catalog_entry_runs_on_every_shape_and_leaves_inputs_alone(entry, n):
    for a in range(2, 7):
        for scale in (1.0, 1000.0):
            outcome = call(entry.function, make_case(n, a, scale, seed=7 * a + n))
            if entry.id == "q_on_action_axis" and n not in (1, a):  # its mistake: q lines up with the actions
                assert "must match the size of tensor" in (outcome.error or ""), outcome.error
                continue
            assert outcome.error is None, (a, scale, outcome.error)
            assert outcome.shape is not None, "returns a tensor"
            if entry.id == "mutates_inputs":
                assert outcome.mutated == ("logits",)
            else:
                assert outcome.mutated == ()


@pytest.mark.parametrize("entry", mistakes.CATALOG, ids=IDS)
def test_catalog_entry_differs_from_the_reference(entry):
    outcomes = catalog_outcomes(entry.id)
    assert any(differences(o, reference_outcome(c), c) for o, c in zip(outcomes, PROBES))


def _same_numbers(x: str, y: str) -> bool:
    return any({x, y} <= group for group in mistakes.SAME_NUMBERS)


@pytest.mark.parametrize("pair", [p for p in itertools.combinations(IDS, 2)], ids="-vs-".join)
def test_catalog_entries_are_told_apart_by_some_probe_unless_declared_the_same(pair):
    x, y = pair
    disagree = [
        c.label for c, ox, oy in zip(PROBES, catalog_outcomes(x), catalog_outcomes(y)) if differences(ox, oy, c)
    ]
    if _same_numbers(x, y):
        assert disagree == []
    else:
        assert disagree


# --- the look-alikes the module docstring promises the diagnosis ---


def _outcomes_on(mistake_id: str, cases) -> List[Tuple[Case, Outcome]]:
    return [(c, call(mistakes.by_id(mistake_id).function, c)) for c in cases]


def test_sum_over_actions_is_the_constant_mean_q_over_a_with_zero_gradient():
    for case, outcome in _outcomes_on("sum_over_actions", PROBES):
        assert float(outcome.value) == pytest.approx(float(case.q_values.double().mean()) / case.a, abs=1e-6)
        assert float(outcome.grad.abs().max()) < 1e-6


def test_broadcast_family_vanishes_on_standardised_q_only():
    standardised = [c for c in PROBES if "q=standardised" in c.label and c.n > 1]
    raw = [c for c in PROBES if "q=raw" in c.label and c.n > 1 and "scale=1," in c.label]
    for mistake_id in ("broadcast", "weight_after_reduction", "sum_over_actions"):
        assert all(o.grad.abs().max() < 1e-5 for _, o in _outcomes_on(mistake_id, standardised))
    assert all(o.grad.abs().max() > 1e-3 for _, o in _outcomes_on("broadcast", raw))


@pytest.mark.parametrize(
    "mistake_id, agrees_on, differs_on",
    [
        ("two_actions_only", dict(A=2), dict(A=5, actions="binary")),
        ("greedy_labels", dict(actions="argmax"), dict(actions="uniform")),
        ("unstable_log", dict(scale=1), dict(scale=1000, actions="uniform")),
        ("clamped_log_prob", dict(scale=1), dict(scale=1000, actions="uniform")),
        ("sum_reduction", dict(N=1), dict(N=16)),
        ("broadcast", dict(N=1), dict(N=16, q="raw")),
        ("normalized_inside", dict(q="standardised", N=16), dict(q="raw")),
    ],
)
def test_lookalike_matches_the_reference_exactly_where_documented(mistake_id, agrees_on, differs_on):
    def cases(where):
        if where.get("actions") == "argmax":
            return [
                make_case(n, a, s, seed, q, "argmax")
                for seed, (n, a, s, q) in enumerate(
                    itertools.product((1, 5), (2, 4), (1.0, 1000.0), ("standardised", "raw"))
                )
            ]
        return _probe_subset(**where)

    agree, differ = cases(agrees_on), cases(differs_on)
    assert agree and differ
    for case, outcome in _outcomes_on(mistake_id, agree):
        assert differences(outcome, reference_outcome(case), case) == [], case.label
    assert any(differences(o, reference_outcome(c), c) for c, o in _outcomes_on(mistake_id, differ))


def test_unstable_log_is_not_finite_at_large_logits_with_unlikely_actions():
    outcomes = _outcomes_on("unstable_log", _probe_subset(scale=1000, actions="uniform"))
    assert any(not o.finite for _, o in outcomes)


def test_clamped_log_prob_is_finite_and_wrong_at_large_logits_with_zero_gradient_where_clamped():
    for case, outcome in _outcomes_on("clamped_log_prob", _probe_subset(scale=1000, actions="uniform")):
        assert outcome.finite and torch.isfinite(outcome.grad).all(), case.label
        log_p = torch.log_softmax(case.logits.double(), -1).gather(1, case.actions[:, None]).squeeze(1)
        clamped = (log_p < -20) & (case.q_values != 0)
        assert (outcome.grad[clamped].abs().sum(-1) == 0).all(), case.label
    assert any(
        differences(o, reference_outcome(c), c) for c, o in _outcomes_on("clamped_log_prob", _probe_subset(scale=1000))
    )


def test_value_only_mistakes_keep_the_right_number():
    for case in PROBES:
        ref = reference_outcome(case)
        nd = call(mistakes.by_id("not_differentiable").function, case)
        assert not nd.connected and _close(nd.value, ref.value, case.value_atol)
        ns = call(mistakes.by_id("not_scalar").function, case)
        assert ns.shape == (case.n,) and _close(ns.value.mean(), ref.value, case.value_atol)
        mu = call(mistakes.by_id("mutates_inputs").function, case)
        assert mu.mutated == ("logits",) and differences(replace(mu, mutated=()), ref, case) == []


def test_normalized_inside_ignores_affine_changes_of_q():
    fns = [mistakes.by_id("normalized_inside").function] + [
        submission(p) for p, ids in CORPUS.MISTAKES.items() if ids == {"normalized_inside"}
    ]
    assert len(fns) >= 2
    for case in _probe_subset(q="raw", N=16, scale=1):
        shifted = Case(case.label, case.logits, case.actions, 3.0 * case.q_values - 2.0)
        for fn in fns:
            assert differences(call(fn, shifted), call(fn, case), case) == []
        assert differences(call(reference_loss, shifted), call(reference_loss, case), case)


# --- the corpus ---


def test_corpus_manifest_lists_exactly_the_files_on_disk():
    on_disk = {
        p.relative_to(SUBMISSIONS).as_posix()
        for folder in ("correct", "mistakes")
        for p in (SUBMISSIONS / folder).glob("*.py")
    }
    listed = set(CORPUS.CORRECT) | set(CORPUS.MISTAKES)
    assert len(CORPUS.CORRECT) == len(set(CORPUS.CORRECT)) and not set(CORPUS.CORRECT) & set(CORPUS.MISTAKES)
    assert listed == on_disk
    assert len(CORPUS.CORRECT) >= 10
    for path, ids in CORPUS.MISTAKES.items():
        assert ids and ids <= set(IDS), path
    single = {next(iter(ids)) for ids in CORPUS.MISTAKES.values() if len(ids) == 1}
    grouped = set().union(*(g for g in mistakes.SAME_NUMBERS if g in CORPUS.MISTAKES.values()))
    assert single | grouped == set(IDS), "every catalog ID has a differently written submission"
    combos = [ids for ids in CORPUS.MISTAKES.values() if len(ids) >= 2 and ids not in mistakes.SAME_NUMBERS]
    assert len(combos) >= 3


@pytest.mark.parametrize("path", CORPUS.CORRECT)
def test_correct_submission_matches_the_reference_everywhere(path):
    fn = submission(path)
    for case in STABILITY:
        outcome = call(fn, case)
        assert outcome.shape == () and outcome.connected and outcome.mutated == (), case.label
        assert outcome.finite, case.label
        assert differences(outcome, reference_outcome(case), case) == [], case.label


def test_stability_cases_include_actions_of_tiny_probability():
    log_p = [
        torch.log_softmax(c.logits.double(), -1).gather(1, c.actions[:, None]).min()
        for c in STABILITY
        if "scale=1000" in c.label
    ]
    assert min(float(v) for v in log_p) < -1000


@pytest.mark.parametrize("path", sorted(CORPUS.MISTAKES))
def test_mistaken_submission_differs_from_the_reference(path):
    fn = submission(path)
    assert any(differences(call(fn, c), reference_outcome(c), c) for c in PROBES)


# Where a differently written mistake legitimately parts from the catalog implementation.
# Everywhere else on PROBES it must give the catalog entry's outcome.
_SAME_MISTAKE_ON: Dict[str, Callable[[Case], bool]] = {
    # actions >= 2 become target 2.0, 3.0... for BCE but "not 1" for the catalog's torch.where
    "mistakes/two_actions_only_bce.py": lambda c: "actions=binary" in c.label,
    # exp overflows at extreme logits: NaN even for the likely action, where log(softmax) is fine
    "mistakes/unstable_log_manual_softmax.py": lambda c: "scale=1," in c.label,
    # clamped probabilities stay finite (and wrong) at extreme logits
    "mistakes/unstable_log_categorical_probs.py": lambda c: "scale=1," in c.label,
    # sums over actions, so the constant is -mean(q), not mean(q)/A; both vanish on standardised q
    "mistakes/sum_over_actions_expected_q.py": lambda c: "q=standardised" in c.label and c.n > 1,
}
_NOT_COMPARED = {
    # sample std instead of population std, so q has another scale: checked instead by
    # test_normalized_inside_ignores_affine_changes_of_q
    "mistakes/normalized_inside_torch_std.py",
    # no epsilon: NaN for one sample where the catalog's (with one) gives 0; same test instead
    "mistakes/normalized_inside_np_std_idiom.py",
    # the mistake times 1/1000 (q squashed by tanh(q / 1000)): named as such by the diagnosis, see
    # tests/checks/test_claims.py
    "mistakes/weight_after_reduction_tanh_q.py",
}


@pytest.mark.parametrize(
    "path",
    sorted(
        p
        for p, ids in CORPUS.MISTAKES.items()
        if (len(ids) == 1 or ids in mistakes.SAME_NUMBERS) and p not in _NOT_COMPARED
    ),
)
def test_mistaken_submission_makes_the_catalog_mistake(path):
    fn = submission(path)
    where = _SAME_MISTAKE_ON.get(path, lambda c: True)
    cases = [c for c in PROBES if where(c)]
    assert len(cases) >= 10
    for mistake_id in CORPUS.MISTAKES[path]:
        for case in cases:
            want = call(mistakes.by_id(mistake_id).function, case)
            assert differences(call(fn, case), want, case, any_mutation=True) == [], case.label
