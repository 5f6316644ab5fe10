"""What the self-check prints, sized for a beginner: the score and what is wrong first, each
paragraph once, lines of at most 100 columns, and a check that passed never shown as failed."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import SUBMISSIONS

from grader.course import registry, rubric
from grader.verbs import public_data, selfcheck
from grader.verbs.terminal import WIDTH, report, wrap

EXERCISE = "discrete"


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> public_data.PublicData:
    return public_data.load_public_data(
        public_data.write_public_data(tmp_path_factory.mktemp("handout") / "public_data.npz", EXERCISE),
        rubric.exercise(EXERCISE),
    )


def printed(data: public_data.PublicData, name: str) -> str:
    module = selfcheck.import_file(SUBMISSIONS / name)
    return report(selfcheck.check_function(module.pseudo_loss, data))


def test_the_seed_proposal_leads_with_what_is_wrong_and_why_it_scores_nothing(data):
    text = printed(data, "mistakes/sum_over_actions_categorical_probs.py")
    lines = text.splitlines()
    assert lines[0] == "Score: 0 / 85" and lines[2].startswith("What is wrong: Probabilities of all actions")
    assert text.index("does not depend on `logits`") < text.index("[PASS] 1.")  # why it is 0, before the checks
    assert text.count("does not depend on `logits`") == 1
    # Interface and purity passed on their own: shown as passed, at 0 points, never as failed.
    assert "[PASS] 1. Interface" in text and "[PASS] 6. Pure: inputs unchanged, same answer twice  (0/5)" in text
    assert "[FAIL] 1." not in text and "[FAIL] 6." not in text and "On its own" not in text
    assert all(len(line) <= WIDTH for line in lines), max(lines, key=len)


def test_a_correct_loss_prints_a_short_report(data):
    text = printed(data, "correct/categorical_log_prob.py")
    assert text.splitlines()[0] == "Score: 85 / 85" and "All checks passed." in text
    assert "[FAIL]" not in text and len(text.splitlines()) <= 20


def test_wrapping_keeps_code_blocks_and_indents_items_under_their_text():
    long = "word " * 30
    text = wrap(f"- {long}\n```\n{long}{long}\n```\n       {long}")
    lines = text.splitlines()
    assert lines[1].startswith("  word") and f"{long}{long}" in lines  # the fenced line is whole
    assert all(line.startswith("       word") for line in lines[-2:])
    assert all(len(line) <= WIDTH for line in lines if "```" not in line and line != f"{long}{long}")


def test_torch_compile_runs_eagerly_as_in_the_grader_and_only_while_checked(data):
    import torch
    from torch._dynamo.utils import counters

    counters.clear()
    module = selfcheck.import_file(SUBMISSIONS / "correct/torch_compile_decorator.py")
    document = selfcheck.check_function(module.pseudo_loss, data)
    assert document["score"] == 85 and counters["stats"]["unique_graphs"] == 0  # nothing was compiled
    logits = torch.zeros(2, 3, requires_grad=True)
    module.pseudo_loss(logits, torch.tensor([0, 1]), torch.ones(2))  # the student's own call afterwards compiles
    assert counters["stats"]["unique_graphs"] >= 1


def test_explain_ends_with_the_mistakes_the_self_check_and_the_grader_name(data, monkeypatch):
    """selfcheck.py --explain on every catalogued mistake of the corpus: the walk-through's batch
    cannot show them all (a changed input, extreme logits, combinations), so it ends with the
    self-check's verdict, whose mistakes are the grader's (test_selfcheck_agreement.py)."""
    from submissions.discrete.corpus import MISTAKES

    monkeypatch.setattr(selfcheck, "EXERCISE", registry.folders(EXERCISE)[0] / "exercise.py")
    titles = {mistake: entry.title for mistake, entry in data.parts[0].catalog.items()}
    for name, mistakes in sorted(MISTAKES.items()):
        function = selfcheck.import_file(SUBMISSIONS / name).pseudo_loss
        text = selfcheck.explain_function(function, data, Path(name).name)
        verdict = text.rsplit("\n\n", 1)[1]
        assert verdict.startswith("The self-check finds: "), (name, verdict)
        assert all(titles[mistake] in verdict for mistake in mistakes), (name, verdict)
    correct = selfcheck.import_file(SUBMISSIONS / "correct/categorical_log_prob.py").pseudo_loss
    assert selfcheck.explain_function(correct, data).endswith("The self-check passes it too (`python selfcheck.py`).")
