"""Every sentence of feedback is a claim made only where it is true (issue 29).

Each claim the issue found false is tested where it is true and where it is
false: the diagnosis in-process on trusted fixtures (the files of
tests/submissions/claims/ are plain functions here), the checks' own sentences
through the sandbox.
"""

from __future__ import annotations

import importlib.util
import re
import warnings
from typing import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import CORPORA, SUBMISSIONS
from torch.distributions import Normal

from grader.calling.oracle import LocalOracle
from grader.course import rubric
from grader.naming import diagnosis
from grader.naming.diagnosis import Diagnosis
from grader.naming.observations import observe
from grader.naming.probes import Answers, signature

CLAIMS = SUBMISSIONS / "claims"  # the discrete ones; the Gaussian ones are in gaussian/claims


def load(relative: str) -> Callable:
    path = CORPORA / relative
    spec = importlib.util.spec_from_file_location("claims_" + re.sub(r"\W", "_", relative), path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.pseudo_loss


def part(name: str):
    return rubric.exercise(name).parts[0]


def outcomes_of(function: Callable, name: str) -> list:
    exercise = part(name)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's std of one sample warns
        return diagnosis.ask_probes(LocalOracle(function, exercise.contract), exercise.diagnostics)


def diagnose(function: Callable, name: str = "discrete") -> Diagnosis:
    found, catalog = rubric.suspects(name, "pseudo_loss")
    return diagnosis.diagnose(outcomes_of(function, name), part(name).diagnostics, found, catalog)


def answers_of(function: Callable, name: str = "discrete") -> Answers:
    d = part(name).diagnostics
    mine = [signature(o, p) for o, p in zip(outcomes_of(function, name), d.probes)]
    return Answers(d.probes, mine, rubric.suspects(name, "pseudo_loss")[0][0].sigs, d.contract, d.sizes)


def notes_of(function: Callable, name: str = "discrete") -> dict:
    d = part(name).diagnostics
    return {n.kind: n.text for n in observe(answers_of(function, name), d.variations)}


def gaussian_log_pi(mean, log_std, actions):
    return Normal(mean, log_std.exp()).log_prob(actions).sum(-1)


# --- "your gradient is the correct one" speaks of every gradient the exercise asks for ---------


def test_a_right_value_offset_is_said_when_both_gaussian_gradients_are_right():
    def plus_constant(mean, log_std, actions, q_values):
        return -(gaussian_log_pi(mean, log_std, actions) * q_values).mean() + 0.25

    notes = notes_of(plus_constant, "gaussian")
    assert "your gradients (dL/dmean and dL/dlog_std) are the correct ones on all 6 test inputs" in notes["offset"]
    assert "plus 0.25" in notes["offset"]


def test_an_entropy_bonus_is_never_said_to_have_the_correct_gradient():
    found = diagnose(load("gaussian/claims/entropy_bonus.py"), "gaussian")
    assert found.mistakes == ()
    assert "is the correct one" not in found.feedback and "are the correct ones" not in found.feedback
    assert "is missing or extra" not in found.feedback  # the meaning of an offset, sent looking for a constant
    assert "the part of your loss that is wrong does not depend on q" in found.feedback  # true: the bonus has no q


def test_a_gaussian_ratio_names_the_gradient_that_does_not_follow():
    def half_mean_gradient(mean, log_std, actions, q_values):
        loss = -(gaussian_log_pi(0.5 * mean + 0.5 * mean.detach(), log_std, actions) * q_values).mean()
        return 2 * loss

    notes = notes_of(half_mean_gradient, "gaussian")
    assert notes["ratio 2"].startswith("your loss (not its dL/dmean) is 2 times the correct one"), notes
    notes = notes_of(lambda *args: 2 * -(gaussian_log_pi(*args[:3]) * args[3]).mean(), "gaussian")
    assert notes["ratio 2"].startswith("your loss and its gradients (dL/dmean and dL/dlog_std) are 2 times"), notes


# --- look-alikes: only the ones with identical numbers are offered as alternatives -------------


def test_only_the_look_alikes_are_said_to_fit_equally_and_neither_is_named_as_fact():
    found = diagnose(load("gaussian/claims/mean_over_dims_sign_flipped.py"), "gaussian")
    assert set(found.mistakes) == {"sign_flipped", "mean_over_dims", "per_dimension_weighted"}
    titles = rubric.mistake_titles("gaussian")
    pair = " or ".join(f"“{titles[m]}”" for m in ("mean_over_dims", "per_dimension_weighted"))
    assert found.feedback.startswith(f"Your answers fit {pair} equally")
    assert f"“{titles['sign_flipped']}” or" not in found.feedback
    assert "**The sign is flipped" in found.feedback  # certain: every look-alike has it
    assert "**Possibly: The log-density is averaged" in found.feedback
    assert "**Possibly: The per-dimension log-densities" in found.feedback
    assert f"with only {pair}," in found.feedback


def test_broadcast_told_apart_by_its_n_by_n_tensor_is_named_as_fact():
    found = diagnose(load("discrete/mistakes/broadcast_column_q.py"))
    assert found.mistakes == ("broadcast",)
    assert "Possibly" not in found.feedback and "equally" not in found.feedback


# --- counterfactuals are this code's own variant, computed ---------------------------------------


def _standardised_sum(correction: int) -> Callable:
    def loss(logits, actions, q_values):
        q = (q_values - q_values.mean()) / (q_values.std(correction=correction) + 1e-8)
        return (F.cross_entropy(logits, actions, reduction="none") * q).sum()

    return loss


@pytest.mark.parametrize("correction", [0, 1])
def test_the_loss_without_the_sum_is_the_one_of_the_same_standard_deviation(correction):
    found = diagnose(_standardised_sum(correction))
    assert set(found.mistakes) == {"sum_reduction", "normalized_inside"}
    claimed = re.search(
        r"Sum over the batch instead of the mean\*\*.*?without this mistake, with only “q is standardised inside "
        r"the loss”, your loss would be (\S+)",
        found.feedback,
        re.S,
    )
    assert claimed, found.feedback
    three = next(p for p in part("discrete").diagnostics.probes if p.name == "three")
    logits, actions, q = (torch.tensor(a) for a in three.arrays)
    own = float(_standardised_sum(correction)(logits, actions, q)) / three.rows  # the very code, its sum / N
    assert float(claimed.group(1)) == pytest.approx(own, rel=1e-4)
    other = float(_standardised_sum(1 - correction)(logits, actions, q)) / three.rows
    assert float(claimed.group(1)) != pytest.approx(other, rel=1e-2)  # the other std's is a different number


# --- a ratio that is not constant is shown by two ratios that differ -----------------------------


def test_a_varying_ratio_is_shown_by_two_different_ratios():
    notes = notes_of(load("discrete/observed/temperature.py"))
    shown = re.search(
        r"yours / correct is (\S+) on the smallest test input and (\S+) on the test input with", notes["varies"]
    )
    assert shown, notes
    assert float(shown.group(1)) != pytest.approx(float(shown.group(2)), rel=1e-3)


def test_a_right_value_with_a_wrong_gradient_is_said_so_not_that_the_ratio_varies():
    found = diagnose(load("discrete/claims/value_right_gradient_wrong.py"))
    assert "your loss equals the correct one on all 8 test inputs (to 0.1%), but not its gradient" in found.feedback
    assert "not the correct one times a constant" not in found.feedback


# --- a row pattern is a cause only where it holds on every probe ---------------------------------


def test_a_row_pattern_of_one_probe_is_not_offered_as_the_cause():
    found = diagnose(load("discrete/claims/discounted_rows.py"))
    assert "rows 1 and 2 of your dL/dlogits differ from the correct one, and row 0 agrees" in found.feedback
    assert "exactly the rows where" not in found.feedback  # on that probe those rows have action 0, by chance


def test_a_row_pattern_that_holds_on_every_probe_is_the_cause():
    found = diagnose(load("discrete/observed/absolute_q.py"))
    assert "(exactly the rows where q < 0)" in found.feedback


def test_a_gaussian_direction_names_the_gradient_it_speaks_of():
    def flipped_mean_only(mean, log_std, actions, q_values):
        return -(gaussian_log_pi(2 * mean.detach() - mean, log_std, actions) * q_values).mean()

    text = notes_of(flipped_mean_only, "gaussian").get("direction", "")
    assert text.startswith("your dL/dmean points away from the correct one"), text


# --- the checks' own sentences, graded through the sandbox ---------------------------------------


def output_of(document: dict, rubric, key: str) -> str:
    title = rubric.exercise.parts[0].titles[key]
    return next(test["output"] for test in document["tests"] if test["name"].endswith(title))


def test_a_per_sample_result_is_told_why_it_has_no_gradient_and_to_reduce(grade, rubric):
    document = grade(CLAIMS / "per_sample_result.py", learning=False)
    gradient, interface = output_of(document, rubric, "gradient"), output_of(document, rubric, "interface")
    assert "there is no gradient with respect to" not in gradient
    assert re.search(r"no gradient was taken: your result has shape \(\d+,\), \d+ numbers", gradient), gradient
    assert "`.squeeze()` makes it one" not in interface  # true for N = 1 only
    assert re.search(r"a single number here but \d+ on public case seed \d+ \(N=\d+, A=\d+\): they need a", interface)


def test_a_one_number_result_on_every_case_is_told_to_squeeze(grade, rubric):
    document = grade(SUBMISSIONS / "broken/returns_shape_1.py", learning=False)
    assert "a single number but not a 0-dim tensor (`.squeeze()` makes it one)" in output_of(
        document, rubric, "interface"
    )


def test_a_random_loss_is_told_it_differs_between_calls_not_blamed_on_autograd(grade, rubric):
    interface = output_of(grade(CLAIMS / "random_loss.py", learning=False), rubric, "interface")
    assert re.search(r"your loss gave \S+ and then \S+ for the very same inputs", interface), interface
    assert "autograd" not in interface


def test_a_ratio_to_a_detached_copy_is_asked_about_detach(grade, rubric):
    interface = output_of(grade(CLAIMS / "ratio_loss.py", learning=False), rubric, "interface")
    assert "the gradient says" in interface and "`.detach()`" in interface
    assert "for the very same inputs" not in interface


# --- mistakes that went unnamed, each named with its numbers --------------------------------------


def test_the_seed_proposal_as_typed_is_named_with_its_error_and_what_it_would_be_as_meant():
    found = diagnose(load("discrete/mistakes/q_on_action_axis_beginner.py"))
    assert found.mistakes == ("q_on_action_axis",)
    assert "Not one of the known mistakes" not in found.feedback
    said = re.search(
        r"gave no number on 6 of the 8 test inputs; on the smallest, (.*?), it raised `RuntimeError: The size of tensor "
        r"a \(2\) must match .*?`\. Computed as meant \(“Probabilities of all actions times q: the loss is a constant with zero "
        r"gradient”\), your loss there "
        r"would be (\S+), with a "
        r"gradient of zero\.",
        found.feedback,
    )
    assert said, found.feedback
    pair = next(p for p in part("discrete").diagnostics.probes if p.name == "pair")
    assert float(said.group(2)) == pytest.approx(pair.arrays[2].mean() / 2, rel=1e-5)  # mean(q) / A


def test_the_policy_as_its_own_labels_is_named_with_its_entropy_value_and_zero_gradient():
    found = diagnose(load("discrete/mistakes/policy_as_labels_detached.py"))
    assert found.mistakes == ("policy_as_labels",)
    p = torch.softmax(torch.tensor([2.0, 0.0], dtype=torch.float64), -1)
    entropy_times_q = float(-(p * p.log()).sum()) * 3.0  # the tiny probe: logits [2, 0], q 3
    assert f"expected loss 6.38078, yours {entropy_times_q:.4g}" in found.feedback
    assert "singles out another action" not in found.feedback  # a zero gradient's signs are rounding
    assert diagnose(load("discrete/mistakes/policy_as_labels_attached_cross_entropy.py")).mistakes == (
        "policy_as_labels_attached",
    )


def test_a_mistake_times_a_free_constant_is_named_with_the_constant():
    found = diagnose(load("discrete/mistakes/weight_after_reduction_tanh_q.py"))
    assert found.mistakes == ("weight_after_reduction",)
    said = re.search(
        r"Your loss and its gradient are (\S+) times those of “The loss is averaged before it is weighted by q” on all 8",
        found.feedback,
    )
    assert said and float(said.group(1)) == pytest.approx(1e-3, rel=1e-4), found.feedback


def test_a_scaled_reference_is_a_ratio_not_a_flipped_sign_times_a_constant():
    found = diagnose(load("discrete/observed/policy_coefficient.py"))
    assert found.mistakes == () and "times those of" not in found.feedback


def test_argmax_labels_with_q_ignored_are_named_both():
    found = diagnose(load("discrete/mistakes/combo_greedy_labels_unweighted.py"))
    assert set(found.mistakes) == {"greedy_labels", "unweighted"}


def test_a_refused_in_place_change_of_log_std_is_named_with_the_error():
    found = diagnose(load("gaussian/mistakes/mutates_inputs_clamp_in_place.py"), "gaussian")
    assert found.mistakes == ("mutates_inputs",)
    assert "your function gave no value (it raised `RuntimeError: a leaf Variable that requires grad" in found.feedback


def test_a_clamped_variance_is_named_on_the_tiny_std_probe():
    found = diagnose(load("gaussian/mistakes/clamped_variance_gaussian_nll.py"), "gaussian")
    assert found.mistakes == ("clamped_variance",)
    assert "log_std [-9, -8]" in found.feedback and "expected loss 7.44132, yours 5.93975" in found.feedback


def test_a_confident_case_has_a_std_below_the_clamp():
    graded = rubric.load_rubric("gaussian").parts[0]
    confident = [case for case, _ in graded.cases["confident"] if not case.hidden]
    assert all(case.arrays[1].min() < np.log(1e-3) for case in confident)


# --- what the property tests found (tests/checks/test_claims_properties.py) ------------------------


def _centred_gaussian(mean, log_std, actions, q_values):
    return -(gaussian_log_pi(mean, log_std, actions) * (q_values - q_values.mean())).mean()


def test_a_detached_loss_is_not_matched_to_a_suspect_known_by_its_gradients_alone():
    found = diagnose(lambda *args: _centred_gaussian(*args).detach(), "gaussian")
    assert "resampled_actions" not in found.mistakes  # its value is random: only gradients would be compared
    assert found.mistakes == ("not_differentiable",)


def test_a_small_loss_is_not_matched_to_a_suspect_that_is_zero_everywhere():
    def tiny_no_log(mean, log_std, actions, q_values):
        q = (q_values - q_values.mean()) / (q_values.std(correction=0) + 1e-8)
        return -0.001 * (gaussian_log_pi(mean, log_std, actions).exp() * q).mean()

    found = diagnose(tiny_no_log, "gaussian")
    assert "weight_after_reduction" not in found.mistakes and "broadcast" not in found.mistakes


def test_a_small_loss_that_moves_is_not_said_to_stay_the_same():
    def small_and_moving(mean, log_std, actions, q_values):
        return 4e-5 * -(gaussian_log_pi(mean, log_std, actions) * q_values).mean()  # moves by 8e-6, 4%

    notes = notes_of(small_and_moving, "gaussian")
    assert not any(kind.startswith("ignores") for kind in notes), notes
    assert "ratio 4e-05" in notes, notes
