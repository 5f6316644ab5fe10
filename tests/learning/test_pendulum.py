"""The InvertedPendulum learning check of the Gaussian exercise: the reference learns on every
grading seed with room to spare, the wrong losses that change the gradient's direction do not,
and the shift of q is what lets it tell a wrong scale from the right one."""

from __future__ import annotations

import dataclasses

import pytest
import torch
from bench_gaussian import LOSSES, WRONG, simulated_oracle

from reference.gaussian import pendulum

CONFIG = pendulum.PendulumConfig()


@pytest.fixture(autouse=True)
def one_thread():
    # As the grader's child: its reductions, hence the curves, depend on the thread count.
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.slow
def test_reference_passes_every_grading_seed_with_margin():
    runs = pendulum.train(simulated_oracle(LOSSES["reference"]))
    assert [run.seed for run in runs] == list(pendulum.GRADING_SEEDS)
    for run in runs:
        assert run.passed, run.reason
        assert run.iterations <= 0.5 * CONFIG.max_iters, run.returns
        assert sum(run.returns[-CONFIG.window_iters :]) / CONFIG.window_iters >= CONFIG.return_threshold


@pytest.mark.slow
@pytest.mark.parametrize("kind", WRONG)
def test_a_wrong_loss_fails_on_the_first_grading_seed(kind):
    runs = pendulum.train(simulated_oracle(LOSSES[kind]))
    assert len(runs) == 1 and not runs[0].passed, (kind, runs[0].returns)
    assert max(runs[0].returns) < CONFIG.return_threshold


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["variance_as_scale", "no_log"])
def test_on_q_of_mean_zero_a_wrong_scale_learns_like_the_reference(kind):
    # Why the trainer shifts q: without the shift these updates are the reference's times a
    # positive factor, and Adam's step does not see it.
    centred = dataclasses.replace(CONFIG, q_shift=0.0)
    runs = pendulum.train(simulated_oracle(LOSSES[kind]), pendulum.GRADING_SEEDS[:1], centred)
    assert runs[0].passed, runs[0].returns
