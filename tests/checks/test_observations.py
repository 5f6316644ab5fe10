"""The diagnosis says only true things and always something specific (issue 17, items 3, 4, 7, 9, 11).

Most tests run the diagnosis in-process on trusted fixtures (the corpus files
and composed losses are plain functions here); the OBSERVED corpus is also
graded end to end through the sandbox. The property tests compose the
reference with a scale, a sign, a reduction and a normalisation of q, and check
every observation whose claim can be recomputed against the function itself.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from functools import cache
from typing import Callable, List

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import SUBMISSIONS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from submissions.discrete.corpus import MISTAKES, OBSERVED

from grader.calling.oracle import LocalOracle
from grader.course import rubric
from grader.naming import diagnosis
from grader.naming.diagnosis import Diagnosis
from grader.naming.observations import observe
from grader.naming.probes import Answers, close, close_grad, signature

EXERCISE = rubric.exercise("discrete").parts[0]
DIAGNOSTICS = EXERCISE.diagnostics
PROBES = DIAGNOSTICS.probes
# Scales a float32 loss shows as such: not within 1% of 1 (a match is loose to 0.1%), and of four
# significant digits: the feedback names a ratio measured in float32 to six, so a drawn 39.32555
# could honestly read 39.3255 or 39.3256, and the test would be judging the rounding.
FLOAT = st.floats(0.01, 100.0).filter(lambda x: abs(x - 1) > 0.01).map(lambda x: float(f"{x:.4g}")) | st.sampled_from(
    [0.5, 2.0, 0.001, 3.7]
)


def load(relative: str) -> Callable:
    spec = importlib.util.spec_from_file_location("observed_" + re.sub(r"\W", "_", relative), SUBMISSIONS / relative)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pseudo_loss


@cache
def suspects():
    return rubric.suspects("discrete", "pseudo_loss")


def outcomes_of(function: Callable) -> list:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's std of one sample warns
        return diagnosis.ask_probes(LocalOracle(function, EXERCISE.contract), DIAGNOSTICS)


def diagnose(function: Callable) -> Diagnosis:
    found, catalog = suspects()
    return diagnosis.diagnose(outcomes_of(function), DIAGNOSTICS, found, catalog)


def answers_of(function: Callable) -> Answers:
    mine = [signature(o, p) for o, p in zip(outcomes_of(function), PROBES)]
    return Answers(PROBES, mine, suspects()[0][0].sigs, EXERCISE.contract, DIAGNOSTICS.sizes)


def log_pi(logits, actions):
    return F.log_softmax(logits, dim=-1).gather(-1, actions[:, None]).squeeze(-1)


# --- agreement treats NaN as data (item 3) ---------------------------------------------------


def test_nan_agrees_with_nan_and_an_infinity_with_the_same_infinity_only():
    nan, inf = float("nan"), float("inf")
    assert close(nan, nan) and close(inf, inf) and close(-inf, -inf)
    assert not close(nan, 0.0) and not close(inf, -inf) and not close(nan, inf) and not close(0.0, nan)
    assert close_grad(np.array([nan, 1.0]), np.array([nan, 1.0]))
    assert not close_grad(np.array([nan, 1.0]), np.array([0.0, 1.0]))
    assert not close_grad(np.array([inf, 1.0]), np.array([nan, 1.0]))


def test_np_std_without_epsilon_is_named_normalized_inside():
    found = diagnose(load("mistakes/normalized_inside_np_std_idiom.py"))
    assert found.mistakes == ("normalized_inside",)
    assert "expected loss 6.38078, yours nan" in found.feedback  # the one-sample probe shows it
    assert "Not one of the known mistakes" not in found.feedback


# --- clamped log-probabilities are their own mistake (item 4) -------------------------------


@pytest.mark.parametrize("name", ["clamped_log_prob_log_softmax.py", "unstable_log_categorical_probs.py"])
def test_finite_but_wrong_at_extreme_logits_is_clamped_not_unstable(name):
    found = diagnose(load(f"mistakes/{name}"))
    assert found.mistakes == ("clamped_log_prob",)
    assert "for logits [[500, -500, 0]" in found.feedback  # the extreme probe is the evidence
    assert "yours [0, 0, 0]" in found.feedback  # zero gradient where clamped


def test_a_loss_that_is_not_finite_at_extreme_logits_stays_unstable_log():
    assert diagnose(load("mistakes/unstable_log_manual_softmax.py")).mistakes == ("unstable_log",)


# --- "all probes" means the probes that answered, and says how many (item 7) ---------------


@pytest.mark.parametrize("name", ["observed/gather_along_batch.py", "observed/class_weights_from_q.py"])
def test_a_loss_that_answers_one_probe_makes_no_claim_about_every_probe(name):
    feedback = diagnose(load(name)).feedback
    assert "gave no number on 7 of the 8 test inputs" in feedback
    assert "every probe" not in feedback and "every test input" not in feedback and "on all" not in feedback
    assert "times the correct" not in feedback  # a constant ratio needs two probes
    assert "on the only test input that gave a number (of 8)" in feedback


def test_claims_about_all_probes_count_them():
    notes = observe(answers_of(load("observed/policy_coefficient.py")), DIAGNOSTICS.variations)
    assert [n.kind for n in notes][0] == "ratio 0.5"
    assert "on all 8 test inputs" in notes[0].text and len(DIAGNOSTICS.ordinary) == 8


# --- each named mistake with the probe that shows it (item 9) -------------------------------


def _blocks(feedback: str) -> dict:
    """Each named mistake's block of feedback, by ID (the student's text names it by its title only)."""
    ids = {entry.title: mistake for mistake, entry in rubric.suspects("discrete", "pseudo_loss")[1].items()}
    parts = re.split(r"\n\n(?=\*\*)", feedback)
    return {ids[m.group(1)]: part for part in parts if (m := re.match(r"\*\*(.+?)\*\*", part)) and m.group(1) in ids}


def test_a_combination_shows_each_mistake_on_its_own_probe():
    blocks = _blocks(diagnose(load("mistakes/combo_sign_flipped_sum_reduction.py")).feedback)
    assert "for logits [[2, 0]], actions [1], q [3]" in blocks["sign_flipped"]  # one sample: the sign alone
    assert "yours -6.38078" in blocks["sign_flipped"]
    summed = blocks["sum_reduction"]
    assert "for logits [[1, 0.5, -1], [0, 2, 1], [-0.5, 0.3, 0.2]]" in summed  # three rows: the sum shows
    assert (
        "yours -0.530401" in summed
        and "without this mistake, with only “The sign is flipped: gradient ascent on the loss”, your loss would be -0.1768"
        in summed
    )
    assert "500" not in summed  # not the extreme probe


def test_standardising_inside_is_shown_where_q_is_not_standardised():
    blocks = _blocks(diagnose(load("mistakes/combo_normalized_inside_sum_reduction.py")).feedback)
    assert set(blocks) == {"normalized_inside", "sum_reduction"}
    shown = re.search(r"q \[([^\]]*)\]", blocks["normalized_inside"])
    assert shown, blocks["normalized_inside"]
    q = np.array([float(x) for x in shown.group(1).split(",")])
    assert len(q) == 1 or abs(q.mean()) > 0.1 or abs(q.std() - 1) > 0.1
    assert (
        "without this mistake, with only" in blocks["normalized_inside"] or "yours nan" in blocks["normalized_inside"]
    )


# --- every uncatalogued wrong loss gets a specific observation (item 11) -------------------


@pytest.mark.parametrize("name", sorted(OBSERVED))
def test_uncatalogued_loss_gets_its_observation(name):
    found = diagnose(load(name))
    assert found.mistakes == ()
    assert OBSERVED[name] in found.feedback, found.feedback
    assert re.search(r"Shown by logits \[\[.*\(N=\d+, A=\d+\): your loss", found.feedback)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(OBSERVED))
def test_uncatalogued_loss_graded_in_the_sandbox_gets_its_observation(grade, name):
    document = grade(SUBMISSIONS / name, learning=False)
    assert document["extra_data"]["mistakes"] == []
    assert document["score"] < sum(test["max_score"] for test in document["tests"])
    failing = [test["output"] for test in document["tests"] if test["status"] == "failed"]
    assert failing and all("Autograder" not in test["name"] for test in document["tests"])
    assert any(OBSERVED[name] in output for output in failing), failing[0]


def test_an_n_by_n_intermediate_is_observed_on_the_traced_probe():
    def broadcast_abs_q(logits, actions, q_values):  # no catalog entry times a constant: mean|q| / mean(q) varies
        return -(F.log_softmax(logits, dim=-1).gather(1, actions[:, None]) * q_values.abs()).mean()

    feedback = diagnose(broadcast_abs_q).feedback
    assert "an N × N intermediate: with 24 rows your code made a tensor of at least 24 × 24 = 576 entries" in feedback
    assert "(N=24, A=3)" in feedback
    assert "rows 0, 1, 2" not in feedback  # no list of 23 rows of which one agrees by chance


def test_where_it_ran_it_behaves_like_a_catalog_entry():
    def summed_but_not_for_one(logits, actions, q_values):
        if len(q_values) == 1:
            raise ValueError("needs a batch")
        return -(log_pi(logits, actions) * q_values).sum()

    found = diagnose(summed_but_not_for_one)
    assert found.mistakes == ()  # one probe gave no number: no match to name
    assert (
        "your function gave no number on 1 of the 8 test inputs (on the smallest: `ValueError: needs a batch`)"
        in found.feedback
    )
    assert (
        "on the 7 test inputs where it gave a number it behaves exactly like “Sum over the batch instead of the mean”"
        in found.feedback
    )
    assert "N times the correct ones on each of the 7 test inputs that gave a number (of 8)" in found.feedback


def test_a_loss_correct_on_the_one_probe_it_answers_says_so_in_the_singular():
    def correct_only_for_one_sample(logits, actions, q_values):
        if len(q_values) != 1:
            raise ValueError("one sample only")
        return -(log_pi(logits, actions) * q_values).mean()

    feedback = diagnose(correct_only_for_one_sample).feedback
    assert "on the only test input where it gave a number it gives exactly the correct numbers" in feedback
    assert "on the 1 test inputs" not in feedback
    assert "is 1 times the correct one" not in feedback  # a ratio of 1 is "equals"


def test_a_loss_that_is_zero_everywhere_is_named_nothing_and_said_to_be_zero():
    found = diagnose(lambda logits, actions, q_values: logits.sum() * 0.0)
    assert found.mistakes == ()
    assert "your loss is 0 for every input tried (on all 8 test inputs), so its gradient is 0" in found.feedback


def test_every_corpus_mistake_is_still_named_exactly():
    for name, ids in MISTAKES.items():
        assert set(diagnose(load(name)).mistakes) == ids, name


# --- property tests: compositions of the reference --------------------------------------------

REDUCTIONS = {  # name -> (reduce (N,) terms of an (N, A) logits batch, factor of the mean as printed)
    "mean": (lambda terms, a: terms.mean(), ""),
    "sum": (lambda terms, a: terms.sum(), "N"),
    "mean / N": (lambda terms, a: terms.mean() / len(terms), "1/N"),
    "mean over N × A": (lambda terms, a: terms.sum() / (len(terms) * a), "1/A"),
}
NORMALISATIONS = ("none", "centre", "standardise", "standardise, no eps", "sample std", "scale only")


def _normalise(q: torch.Tensor, how: str) -> torch.Tensor:
    if how == "centre":
        return q - q.mean()
    if how == "standardise":
        return (q - q.mean()) / (q.std(correction=0) + 1e-8)
    if how == "standardise, no eps":
        return (q - q.mean()) / q.std(correction=0)
    if how == "sample std":
        return (q - q.mean()) / (q.std() + 1e-8)
    if how == "scale only":
        return q / q.std()
    return q


def composed(scale: float, reduction: str, normalisation: str) -> Callable:
    reduce, _ = REDUCTIONS[reduction]

    def loss(logits, actions, q_values):
        terms = -log_pi(logits, actions) * _normalise(q_values, normalisation)
        return scale * reduce(terms, logits.shape[-1])

    return loss


def _expected_factor(scale: float, reduction: str) -> str:
    label = REDUCTIONS[reduction][1]
    if abs(scale - 1) < 1e-9:
        return label
    if abs(scale + 1) < 1e-9:
        return "−" + (label or "1")
    number = f"{scale:.6g}".replace("-", "−")
    return number if not label else f"{number}/{label[2:]}" if label.startswith("1/") else f"{number}·{label}"


def _holds(kind: str, function: Callable, answers: Answers) -> bool:
    """Recompute what an observation of this kind claims, from the function itself."""
    mine = answers.mine
    if kind.startswith("ratio "):
        return True  # checked against the composition by the caller
    if kind == "single zero":
        tiny = [i for i, p in enumerate(PROBES) if p.rows == 1]
        return all(mine[i] is not None and mine[i].value == pytest.approx(0.0, abs=1e-7) for i in tiny)
    if kind == "single nan":
        tiny = [i for i, p in enumerate(PROBES) if p.rows == 1]
        return all(mine[i] is not None and not np.isfinite(mine[i].value) for i in tiny)
    if kind.startswith("ignores "):
        by_name = {p.name: i for i, p in enumerate(PROBES)}
        return any(
            v.argument == kind.split(" ", 1)[1] and close(mine[by_name[v.base]].value, mine[by_name[v.probe]].value)
            for v in DIAGNOSTICS.variations
        )
    if kind == "constant":
        values = {round(s.value, 6) for s in mine if s is not None and s.value is not None}
        return len(values) == 1
    return True


def _true_and_specific(function: Callable, scale: float, reduction: str, normalisation: str) -> None:
    found = diagnose(function)
    answers = answers_of(function)
    notes = observe(answers, DIAGNOSTICS.variations) + DIAGNOSTICS.hints(answers)
    for note in notes:
        assert _holds(note.kind, function, answers), (note.kind, note.text)
        if note.kind.startswith("ratio "):
            assert normalisation == "none" and note.kind == f"ratio {_expected_factor(scale, reduction)}", note.text
    if found.mistakes:
        return  # a catalog match: its texts are tested with the catalog
    assert "What the test inputs show:" in found.feedback
    kinds = [n.kind for n in notes]
    if normalisation == "none":
        assert f"ratio {_expected_factor(scale, reduction)}" in kinds, found.feedback
    elif normalisation in ("centre", "standardise"):
        assert "single zero" in kinds, found.feedback
    else:
        assert "single nan" in kinds, found.feedback


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(st.sampled_from([1.0, -1.0]), FLOAT, FLOAT.map(lambda x: -x)),
    st.sampled_from(sorted(REDUCTIONS)),
    st.sampled_from(NORMALISATIONS),
)
def test_a_scaled_reduced_or_normalised_reference_gets_a_true_observation(scale, reduction, normalisation):
    function = composed(scale, reduction, normalisation)
    if normalisation == "none" and reduction == "mean" and scale == 1.0:
        assert diagnose(function) == Diagnosis((), "")
        return
    _true_and_specific(function, scale, reduction, normalisation)


def _by_hand(logits, actions):
    shifted = logits - logits.max(dim=-1, keepdim=True).values.detach()
    return shifted.gather(-1, actions[:, None]).squeeze(-1) - shifted.exp().sum(-1).log()


LOG_PI = {
    "log_softmax": log_pi,
    "cross_entropy": lambda logits, actions: -F.cross_entropy(logits, actions, reduction="none"),
    "categorical": lambda logits, actions: torch.distributions.Categorical(logits=logits).log_prob(actions),
    "by hand": _by_hand,
    "float64": lambda logits, actions: log_pi(logits.double(), actions).float(),
}
CORRECT_REDUCTIONS: List[Callable] = [
    lambda terms: terms.mean(),
    lambda terms: terms.sum() / len(terms),
    lambda terms: torch.stack([t for t in terms]).mean(),
    lambda terms: (terms * 3.0).mean() / 3.0,
]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(LOG_PI)), st.integers(0, len(CORRECT_REDUCTIONS) - 1), st.booleans())
def test_a_correct_rewrite_is_never_accused(form, reduction, detach_q):
    def loss(logits, actions, q_values):
        q = q_values.detach() if detach_q else q_values
        return -CORRECT_REDUCTIONS[reduction](LOG_PI[form](logits, actions) * q)

    assert diagnose(loss) == Diagnosis((), "")


def test_the_self_check_names_the_same_from_stored_fingerprints(tmp_path):
    """The handout's public_data.npz keeps NaN answers, so the self-check names the np.std idiom too."""
    from grader.verbs import public_data, selfcheck

    data = public_data.load_public_data(
        public_data.write_public_data(tmp_path / "public_data.npz", "discrete"), rubric.exercise("discrete")
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in ("mistakes/normalized_inside_np_std_idiom.py", "mistakes/clamped_log_prob_log_softmax.py"):
            assert selfcheck.check_function(load(name), data)["extra_data"]["mistakes"] == list(MISTAKES[name]), name
        document = selfcheck.check_function(load("observed/one_hot_mean.py"), data)
    assert document["extra_data"]["mistakes"] == []
    assert any(OBSERVED["observed/one_hot_mean.py"] in test["output"] for test in document["tests"])
