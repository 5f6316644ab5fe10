"""The CartPole learning check: the reference learns, wrong losses do not, runs are
reproducible, and a broken gradient fails with a plain reason."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from bench_cartpole import LOSSES, simulated_oracle

from grader.learning import cartpole

CONFIG = cartpole.CartPoleConfig()
SHORT = dataclasses.replace(CONFIG, max_iters=4)


def reference_loss_grad(logits: np.ndarray, actions: np.ndarray, q_values: np.ndarray) -> np.ndarray:
    """dL/dlogits of L = -mean(log softmax(logits)[a] * q), in closed form: (softmax - onehot(a)) * q / N."""
    z = logits.astype(np.float64)
    probs = np.exp(z - z.max(axis=1, keepdims=True))
    probs /= probs.sum(axis=1, keepdims=True)
    probs[np.arange(len(actions)), actions] -= 1.0
    return (probs * q_values[:, None] / len(actions)).astype(np.float32)


@pytest.mark.slow
@pytest.mark.parametrize("seed", cartpole.GRADING_SEEDS)
def test_reference_passes_every_grading_seed_with_margin(seed):
    result = cartpole.train(reference_loss_grad, seed)
    assert result.passed, result.reason
    # Margin: a grading seed must not sit near the budget, or float noise could flip it.
    assert result.iterations <= 0.75 * CONFIG.max_iters, result.returns
    window = result.returns[-CONFIG.window_iters :]
    assert np.mean(window) >= CONFIG.return_threshold
    assert result.env_steps == pytest.approx(sum(result.returns) * CONFIG.num_envs)


@pytest.mark.slow
@pytest.mark.parametrize("kind", [k for k in LOSSES if k != "reference"])
def test_wrong_loss_fails_on_every_grading_seed(kind):
    for seed in cartpole.GRADING_SEEDS:
        result = cartpole.train(simulated_oracle(LOSSES[kind], oracle_ms=0), seed)
        assert not result.passed, (kind, seed, result.returns)
        assert result.iterations == CONFIG.max_iters
        assert "reached only" in result.reason
        assert max(result.returns) < CONFIG.return_threshold


def test_same_curve_twice_whatever_the_thread_count():
    threads = torch.get_num_threads()
    first = cartpole.train(reference_loss_grad, 7, SHORT)
    torch.set_num_threads(2)
    try:
        second = cartpole.train(reference_loss_grad, 7, SHORT)
        assert torch.get_num_threads() == 2, "train must restore the caller's thread count"
    finally:
        torch.set_num_threads(threads)
    assert first.returns == second.returns
    assert first.env_steps == second.env_steps
    assert len(first.returns) == SHORT.max_iters
    other_seed = cartpole.train(reference_loss_grad, 8, SHORT)
    assert other_seed.returns != first.returns


def test_oracle_gets_fresh_standardised_arrays():
    seen = []

    def spy(logits, actions, q_values):
        seen.append(
            (
                logits.shape,
                logits.dtype,
                actions.shape,
                actions.dtype,
                q_values.dtype,
                float(q_values.mean()),
                float(q_values.std()),
            )
        )
        grad = reference_loss_grad(logits, actions, q_values)
        logits[:] = np.nan  # scribbling on the inputs must not reach the parent's training
        actions[:] = 0
        q_values[:] = 0
        return grad

    spied = cartpole.train(spy, 5, SHORT)
    plain = cartpole.train(reference_loss_grad, 5, SHORT)
    assert spied.returns == plain.returns
    assert len(seen) == SHORT.max_iters
    for logits_shape, logits_dtype, actions_shape, actions_dtype, q_dtype, q_mean, q_std in seen:
        assert logits_shape[1] == 2 and actions_shape == (logits_shape[0],)
        assert (logits_dtype, actions_dtype, q_dtype) == (np.float32, np.int64, np.float32)
        assert abs(q_mean) < 1e-4 and abs(q_std - 1) < 1e-3


@pytest.mark.parametrize(
    "answer, reason",
    [
        (lambda lg, a, q: None, "the loss gave no gradient at iteration 1"),
        (lambda lg, a, q: np.full(lg.shape, np.nan, np.float32), "non-finite gradient at iteration 1"),
        (lambda lg, a, q: np.full(lg.shape, np.inf, np.float64), "non-finite gradient at iteration 1"),
        (lambda lg, a, q: np.zeros(len(lg), np.float32), "the gradient has shape"),
        (lambda lg, a, q: np.zeros((len(lg), len(lg)), np.float32), "the gradient has shape"),
        (lambda lg, a, q: np.zeros(lg.shape, np.int64), "the gradient is not an array of floats at iteration 1"),
    ],
)
def test_unusable_gradient_fails_cleanly(answer, reason):
    result = cartpole.train(answer, 0, SHORT)
    assert not result.passed
    assert result.iterations == 1 and len(result.returns) == 1
    assert result.reason.startswith(reason)
    assert result.reason.endswith("at iteration 1")
    assert cartpole.summary(result).endswith(f"in 1 iteration (failed: {result.reason})")


@pytest.mark.parametrize("n, a", [(1, 2), (7, 3), (64, 6)])
def test_reference_loss_grad_is_autograd_of_the_correct_loss(n, a):
    gen = torch.Generator().manual_seed(n)
    logits = torch.randn(n, a, generator=gen) * 5
    actions = torch.randint(0, a, (n,), generator=gen)
    q_values = torch.randn(n, generator=gen)
    leaf = logits.clone().requires_grad_(True)
    LOSSES["reference"](leaf, actions, q_values).backward()
    closed_form = reference_loss_grad(logits.numpy(), actions.numpy(), q_values.numpy())
    assert closed_form.dtype == np.float32 and closed_form.shape == (n, a)
    np.testing.assert_allclose(closed_form, leaf.grad.numpy(), rtol=1e-5, atol=1e-7)


def test_adam_is_torch_adam():
    torch.manual_seed(0)
    ours, theirs = torch.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    theirs.load_state_dict(ours.state_dict())
    adam = cartpole._Adam(list(ours.parameters()), 0.03)
    torch_adam = torch.optim.Adam(theirs.parameters(), lr=0.03)
    for _ in range(25):
        x = torch.randn(8, 4)
        ours(x).pow(2).sum().backward()
        adam.step()
        torch_adam.zero_grad()
        theirs(x).pow(2).sum().backward()
        torch_adam.step()
    for p, q in zip(ours.parameters(), theirs.parameters()):
        torch.testing.assert_close(p, q, rtol=1e-6, atol=1e-7)


def test_summary_reads_as_one_line():
    learning = cartpole.Learning(True, 11, 28078, (20.0, 60.0, 176.0), 0.2, "mean return 151 >= 150")
    assert cartpole.summary(learning) == "return 20 → 176 in 11 iterations (passed)"
    failed = dataclasses.replace(learning, passed=False, reason="non-finite gradient at iteration 3")
    assert cartpole.summary(failed) == "return 20 → 176 in 11 iterations (failed: non-finite gradient at iteration 3)"
