"""`python -m grader explain` and `selfcheck.py --explain`: the walk-through's numbers are the
reference's, and where a wrong loss parts from the steps is named with the student's numbers."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from conftest import SUBMISSIONS

from grader.calling.oracle import LocalOracle
from grader.checks.part import load_walkthroughs
from grader.course import registry, rubric
from grader.verbs.explain import explain, explain_submission

EXERCISE = "discrete"
(WALKTHROUGH,) = load_walkthroughs(registry.folders(EXERCISE)[0] / "exercise.py")
REPO = Path(__file__).resolve().parents[2]
NUMBER = r"-?\d+(?:\.\d+)?(?:e-?\d+)?"


def rows_after(text: str, heading: str) -> np.ndarray:
    """The "state i: [ ... ]" rows printed under the first line starting with heading."""
    lines = text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(heading))
    rows = []
    for line in lines[start + 1 :]:
        found = re.match(r"\s+state \d+: \[(.*)\]$", line)
        if not found:
            break
        rows.append([float(v) for v in found.group(1).split()])
    return np.array(rows)


@pytest.fixture(scope="module")
def reference():
    assert WALKTHROUGH is not None
    logits, actions, q_values = (torch.from_numpy(a.copy()) for a in WALKTHROUGH.arrays)
    logits = logits.double().requires_grad_()
    loss = rubric.solution(EXERCISE, "pseudo_loss").reference(logits, actions, q_values.double())
    loss.backward()
    return logits.detach(), actions, q_values.double(), float(loss.detach()), logits.grad.numpy()


def test_every_number_of_the_steps_is_the_references(reference):
    logits, actions, q_values, loss, grad = reference
    steps = WALKTHROUGH.steps()
    assert np.allclose(rows_after(steps, "1. logits"), logits.numpy(), atol=5e-5)
    probs = torch.softmax(logits, dim=-1).numpy()
    assert np.allclose(rows_after(steps, "2. p = softmax"), probs, atol=5e-5)
    for i, a in enumerate(actions.tolist()):
        p_a = probs[i, a]
        assert f"state {i}: a = {a}, p(a) = {p_a:.4g}" in steps
        assert f"state {i}: -log {p_a:.4g} = {-np.log(p_a):.4g}" in steps
        assert re.search(
            rf"state {i}: {-np.log(p_a):.4g} × \(?{q_values[i]:.4g}\)? = {-np.log(p_a) * q_values[i]:.4g}", steps
        )
    assert re.search(rf"\) / 4 = {loss:.4g}$", steps, re.M)  # N = 4
    assert np.allclose(rows_after(steps, "and dL/dlogits"), grad, atol=5e-5)


def test_the_batch_shows_sampled_actions_that_are_not_the_argmax(reference):
    logits, actions, *_ = reference
    argmax = logits.argmax(dim=-1)
    assert (actions != argmax).any() and (actions == argmax).any()
    steps = WALKTHROUGH.steps()
    assert "(not the most likely action: that is" in steps and "(the most likely action, and still p(a) < 1)" in steps
    assert "zero only when p(a) = 1" in steps


def test_a_correct_loss_matches_every_step(reference):
    text = explain(
        LocalOracle(rubric.solution(EXERCISE, "pseudo_loss").reference, rubric.exercise(EXERCISE).parts[0].contract),
        WALKTHROUGH,
        "mine.py",
    )
    assert "Yours (`mine.py`) on the same batch:" in text
    assert text.rstrip().endswith("Yours matches at every step: the same value and the same gradient.")
    assert f"L = {reference[3]:.4g}   (step 6 gives {reference[3]:.4g})" in text


def test_the_seed_proposal_is_shown_to_be_mean_q_over_a_with_zero_gradient(zygote, reference):
    _, _, q_values, _, _ = reference
    text = explain_submission(SUBMISSIONS / "mistakes/sum_over_actions_categorical_probs.py", zygote, EXERCISE)
    constant = float(q_values.mean()) / 3  # A = 3
    mine = text.split("on the same batch:")[1]
    assert f"L = {constant:.4g}" in mine and "zero everywhere" in mine
    assert "parts from the steps: step 3. You weighted" in mine and "Σ_a p(a)·q_i = q_i" in mine
    assert f"mean(q)/A = {float(q_values.mean()):.4g}/3 = {constant:.4g} for any logits" in mine
    assert "its gradient is 0" in mine


@pytest.mark.parametrize(
    "name, step",
    [
        ("mistakes/sign_flipped_cross_entropy.py", "step 6. The sign is flipped"),
        ("mistakes/sum_reduction_cross_entropy.py", "step 6. You summed over the states"),
        ("mistakes/unweighted_nll.py", "step 5. The weights q are missing"),
        ("mistakes/no_log_nll_on_probs.py", "step 4. You used p(a) where the loss takes log p(a)"),
        ("mistakes/logits_as_logprobs_nll.py", "step 4. You used the logit of a as if it were log p(a)"),
        ("mistakes/greedy_labels_argmax_probs.py", "step 3. You used the most likely action"),
        ("mistakes/not_differentiable_item.py", "no gradient reaches the logits"),
        ("mistakes/not_scalar_per_sample.py", "Its entries are step 5's terms, one per state"),
        ("mistakes/weight_after_reduction_mean_then_q.py", "step 5. You averaged -log p(a) over the states"),
        ("mistakes/broadcast_column_q.py", "step 5. You averaged -log p(a) over the states"),
        ("mistakes/double_softmax_cross_entropy.py", "none of the usual wrong turns"),
    ],
)
def test_where_a_wrong_loss_parts_is_named(zygote, name, step):
    text = explain_submission(SUBMISSIONS / name, zygote, EXERCISE)
    assert f"Yours (`{Path(name).name}`) on the same batch:" in text
    assert step in text.split("on the same batch:")[1], text


def test_a_function_that_raises_is_shown_with_its_traceback(zygote):
    text = explain_submission(SUBMISSIONS / "careless/raises_in_helper.py", zygote, EXERCISE)
    assert "it raised `ValueError: expected 5 rows, got 4`" in text
    assert 'File "raises_in_helper.py", line 9, in check_shapes' in text


def test_the_cli_verb_prints_the_walk_through():
    finished = subprocess.run(
        [sys.executable, "-m", "grader", "explain", str(SUBMISSIONS / "correct/cross_entropy_none.py")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert finished.returncode == 0, finished.stderr
    assert finished.stdout.startswith("One batch, step by step: N = 4 states, A = 3 actions.")
    assert "Yours matches at every step" in finished.stdout


# What a student's machine has: torch and numpy, no grader dependencies, no reference.
TORCH_ONLY = """
import importlib.abc, runpy, sys
class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {"gymnasium", "nbformat", "reference"} or name.startswith(("grader.sandbox", "grader.submission.load")):
            raise ImportError(f"{name} is not in the handout")
sys.meta_path.insert(0, Blocker())
sys.argv = sys.argv[1:]
runpy.run_path(sys.argv[0], run_name="__main__")
"""


def explain_torch_only(folder: Path, name: str) -> subprocess.CompletedProcess:
    """`python selfcheck.py --explain NAME` in an unpacked handout, where only torch and numpy are."""
    return subprocess.run(
        [sys.executable, "-c", TORCH_ONLY, "selfcheck.py", "--explain", name],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin"},
    )


def test_selfcheck_explain_needs_only_torch(tmp_path):
    from readme_examples import unpacked_handout

    folder = unpacked_handout(tmp_path, EXERCISE)
    (folder / "mine.py").write_text((SUBMISSIONS / "mistakes/unweighted_nll.py").read_text())
    finished = explain_torch_only(folder, "mine.py")
    assert finished.returncode == 0, finished.stderr
    assert "Yours (`mine.py`) on the same batch:" in finished.stdout
    assert "step 5. The weights q are missing" in finished.stdout
