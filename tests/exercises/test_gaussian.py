"""The Gaussian exercise in-process: its cases, tolerances, catalog and diagnosis, without the sandbox.

Trusted fixtures only (the reference, the catalog, the corpus' correct forms
loaded as modules), so nothing here needs a child process.
"""

from __future__ import annotations

import importlib.util
import math
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import CORPORA
from submissions.gaussian.corpus import CORRECT, MISTAKES

from grader.calling.oracle import LocalOracle
from grader.course import registry, rubric
from grader.naming import diagnosis
from reference.gaussian import CATALOG, SAME_NUMBERS, reference

CORPUS = CORPORA / "gaussian"
REQUIRED = {
    "sign_flipped",
    "mean_over_dims",
    "per_dimension_weighted",
    "log_std_as_std",
    "variance_as_scale",
    "mse_regression",
    "log_std_detached",
    "unweighted",
    "sum_reduction",
    "normalized_inside",
    "resampled_actions",
    "no_log",
    "dropped_constant",
    "not_differentiable",
}


@pytest.fixture(scope="module")
def graded():
    return rubric.load_rubric("gaussian")


def _function(path: Path):
    spec = importlib.util.spec_from_file_location(f"gaussian_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pseudo_loss


def _diagnose(function):
    exercise = rubric.exercise("gaussian").parts[0]
    suspects, catalog = rubric.suspects("gaussian", "pseudo_loss")
    outcomes = diagnosis.ask_probes(LocalOracle(function, exercise.contract), exercise.diagnostics)
    return diagnosis.diagnose(outcomes, exercise.diagnostics, suspects, catalog)


def test_the_catalog_has_every_mistake_the_issue_lists_and_unique_ids():
    ids = [m.id for m in CATALOG]
    assert len(ids) == len(set(ids)) and REQUIRED <= set(ids)
    assert set().union(*SAME_NUMBERS) <= set(ids)
    assert {"mutates_inputs", "not_scalar", "not_differentiable"} <= set(ids)  # diagnosis.PROPERTY_MISTAKES


def test_cases_have_the_documented_sizes_dtypes_and_q_that_is_not_standardised(graded):
    sizes = [dict(case.sizes) for pairs in graded.parts[0].cases.values() for case, _ in pairs]
    assert {s["N"] for s in sizes} >= {1, 4096} and {s["D"] for s in sizes} >= {1, 6}
    for case, _ in graded.parts[0].cases["policy"]:
        mean, log_std, actions, q_values = case.arrays
        assert (mean.dtype, log_std.dtype, actions.dtype, q_values.dtype) == (np.float32,) * 4
        assert mean.shape == actions.shape and log_std.shape == (mean.shape[1],) and q_values.shape == (len(mean),)
    q = np.concatenate([case.arrays[3] for case, _ in graded.parts[0].cases["policy"]])
    assert 0.4 < q.mean() < 0.8 and 1.5 < q.std() < 1.9


def test_policy_actions_are_samples_of_the_policy(graded):
    case, _ = max(graded.parts[0].cases["policy"], key=lambda pair: pair[0].rows)
    mean, log_std, actions, _ = (a.astype(np.float64) for a in case.arrays)
    z = (actions - mean) / np.exp(log_std)
    assert abs(z.mean()) < 0.05 and abs(z.std() - 1) < 0.05


def test_log_std_tolerance_is_relative_to_its_terms_not_to_the_sum_that_cancels(graded):
    """On sampled actions sum_i q_i (z_i^2 - 1) cancels: a self-relative tolerance would accuse float32."""
    case, expected = next(p for p in graded.parts[0].cases["policy"] if p[0].rows == 4096)
    assert expected.grad_atol["log_std"] > 1e-4 * np.abs(expected.grads["log_std"]).max()
    answer = LocalOracle(reference, graded.exercise.parts[0].contract).call(*case.arrays)  # the reference in float32
    assert expected.grad_matches(answer.grads) and expected.loss_matches(answer.scalar)


@pytest.mark.parametrize("name", CORRECT)
def test_every_correct_form_matches_on_every_case_and_is_never_accused(graded, name):
    function = _function(CORPUS / name)
    oracle = LocalOracle(function, graded.exercise.parts[0].contract)
    for kind, pairs in graded.parts[0].cases.items():
        for case, expected in pairs:
            if "loops" in name and case.rows > 600:
                continue  # a Python loop over 4096 rows is slow in-process; the sandboxed corpus test runs it
            answer = oracle.call(*case.arrays)
            assert expected.loss_matches(answer.scalar), (kind, case.label, answer.scalar, expected.loss)
            assert expected.grad_matches(answer.grads), (kind, case.label)
    assert _diagnose(function).mistakes == ()


@pytest.mark.parametrize("mistake", CATALOG, ids=lambda m: m.id)
def test_each_catalog_entry_is_named_and_twins_are_named_together(mistake):
    found = _diagnose(mistake.function)
    twins = next((group for group in SAME_NUMBERS if mistake.id in group), frozenset({mistake.id}))
    if twins == {"broadcast", "weight_after_reduction"}:
        twins = frozenset({mistake.id})  # told apart by broadcasting's N x N intermediate
    assert set(found.mistakes) == twins
    heading = f"**Possibly: {mistake.title}**" if len(twins) > 1 else f"**{mistake.title}**"  # look-alikes: not as fact
    assert heading in found.feedback and "Evidence: for" in found.feedback
    assert f"`{mistake.id}`" not in found.feedback  # the ID is for tools: Diagnosis.mistakes, extra_data


def test_identical_twins_are_said_to_be_indistinguishable():
    found = _diagnose(_function(CORPUS / "mistakes/per_dimension_weighted_unsqueeze.py"))
    assert (
        "fit “The log-density is averaged over the action dimensions instead of summed” or “The per-dimension "
        "log-densities are weighted as an (N, D) tensor and averaged” equally" in found.feedback
    )
    assert "cannot tell which one you made" in found.feedback


def test_the_log_std_evidence_shows_the_whole_vector():
    found = _diagnose(_function(CORPUS / "mistakes/log_std_detached_normal.py"))
    assert "expected dL/dlog_std = [0.705932], yours [0] (zero everywhere)" in found.feedback


def test_twins_give_the_same_numbers_and_only_the_reference_over_d():
    exercise = rubric.exercise("gaussian").parts[0]
    by_id = {m.id: m.function for m in CATALOG}
    for probe in exercise.diagnostics.probes:
        a, b = (
            LocalOracle(by_id[k], exercise.contract).call(*probe.arrays)
            for k in ("mean_over_dims", "per_dimension_weighted")
        )
        correct = LocalOracle(reference, exercise.contract).call(*probe.arrays)
        d = probe.arrays[0].shape[1]
        assert math.isclose(a.scalar, b.scalar, rel_tol=1e-6) and math.isclose(
            a.scalar, correct.scalar / d, rel_tol=1e-5
        )


def test_resampled_actions_has_random_value_and_fixed_gradients():
    exercise = rubric.exercise("gaussian").parts[0]
    loss = next(m for m in CATALOG if m.id == "resampled_actions").function
    probe = exercise.diagnostics.probes[2]
    oracle = LocalOracle(loss, exercise.contract)
    with torch.random.fork_rng(devices=[]):
        first, second = oracle.call(*probe.arrays), oracle.call(*probe.arrays)
    assert first.scalar != second.scalar
    assert not np.any(first.grads["mean"])
    np.testing.assert_allclose(
        first.grads["log_std"], np.full(probe.arrays[1].shape, probe.arrays[3].mean()), rtol=1e-5
    )


@pytest.mark.parametrize("name", sorted(MISTAKES))
def test_each_corpus_mistake_is_named_in_process(name):
    assert set(_diagnose(_function(CORPUS / name)).mistakes) == MISTAKES[name]


def test_corpus_manifest_lists_exactly_the_files_on_disk():
    on_disk = {
        str(p.relative_to(CORPUS)) for p in CORPUS.rglob("*.py") if p.name != "corpus.py" and p.parent.name != "claims"
    }
    assert on_disk == set(CORRECT) | set(MISTAKES)


def test_walkthrough_steps_are_the_reference_and_name_the_wrong_turn():
    from grader.checks.part import load_walkthroughs
    from grader.verbs.explain import explain

    (walkthrough,) = load_walkthroughs(registry.folders("gaussian")[0] / "exercise.py")
    assert walkthrough is not None
    contract = rubric.exercise("gaussian").parts[0].contract
    correct = LocalOracle(reference, contract).call(*walkthrough.arrays)
    text = explain(LocalOracle(reference, contract), walkthrough, "mine.py")
    assert f"step 7 gives {correct.scalar:.4g}" in text and "Yours matches at every step" in text
    by_id = {m.id: m.function for m in CATALOG}
    for mistake, words in (
        ("mean_over_dims", "at step 5: you averaged over the dimensions"),
        ("mse_regression", "at step 4: you used the squared error"),
        ("log_std_detached", "dL/dlog_std[0] should be"),
        ("log_std_as_std", "is negative: log_std can be"),
    ):
        assert words in explain(LocalOracle(by_id[mistake], contract), walkthrough, "mine.py"), mistake
