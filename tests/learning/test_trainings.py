"""Which functions each learning check trains with, and each distinct training run once
(grader.learning.trainings), on a stand-in trainer: two of the returns exercise's functions, each
the other's partner, and a 'training' that passes when every function it is given answers right."""

from __future__ import annotations

import types
from typing import List

import numpy as np

from grader.calling.oracle import LocalOracle
from grader.checks.part import Check
from grader.course import rubric
from grader.learning import trainings
from grader.learning.runs import Learning
from reference.returns.solution import discounted_return, discounted_reward_to_go

SPEC = rubric.exercise("returns")
RETURN, TO_GO = SPEC.part("discounted_return"), SPEC.part("discounted_reward_to_go")
OWN, TOGETHER = (
    Check("learning", "Trains", ()),
    Check("together", "Trains together", (), uses="learning", together=True),
)
REWARDS = np.array([1.0, 2.0, 3.0])


def _trainer(trained: List[tuple], own: str, partner: str) -> types.SimpleNamespace:
    """A trainer of `own` with `partner` (no default: the grader gives the reference's); each
    training is recorded in `trained` with what each function answered."""
    right = {
        "discounted_return": discounted_return(REWARDS, 0.9),
        "discounted_reward_to_go": discounted_reward_to_go(REWARDS, 0.9),
    }

    def train(call, seeds, *, progress=None, **partners):
        answers = {own: call(REWARDS, np.asarray(0.9)), partner: partners[partner](REWARDS, np.asarray(0.9))}
        good = all(answer is not None and np.allclose(answer, right[name]) for name, answer in answers.items())
        trained.append(tuple(sorted(name for name, answer in answers.items())))
        return [Learning(seed, good, 1, 10, (1.0,), 0.0, "") for seed in seeds]

    return types.SimpleNamespace(
        GRADING_SEEDS=(0, 1), THRESHOLD=1.0, ENV="Stand-in", NEEDS=(), PARTNERS=(partner,), TRAINING="both", train=train
    )


def _functions(return_fn, to_go_fn, return_correct=True, to_go_correct=True):
    return {
        "discounted_return": trainings.Function(
            RETURN,
            LocalOracle(return_fn, RETURN.contract),
            return_correct,
            LocalOracle(discounted_return, RETURN.contract),
        ),
        "discounted_reward_to_go": trainings.Function(
            TO_GO,
            LocalOracle(to_go_fn, TO_GO.contract),
            to_go_correct,
            LocalOracle(discounted_reward_to_go, TO_GO.contract),
        ),
    }


def _checks(trained):
    return [
        trainings.Pending(RETURN, OWN, _trainer(trained, "discounted_return", "discounted_reward_to_go"), 10.0),
        trainings.Pending(TO_GO, OWN, _trainer(trained, "discounted_reward_to_go", "discounted_return"), 10.0),
        trainings.Pending(TO_GO, TOGETHER, _trainer(trained, "discounted_reward_to_go", "discounted_return"), 5.0),
    ]


def test_when_both_functions_are_right_the_three_checks_are_one_training():
    trained: list = []
    results = trainings.run_checks(_checks(trained), _functions(discounted_return, discounted_reward_to_go))
    assert [result.passed for result, _ in results] == [True, True, True]
    assert len(trained) == 1
    assert "It trains with your `discounted_reward_to_go`, which passes its public checks." in results[0][0].output


def test_a_partner_failing_its_public_checks_is_replaced_by_the_reference():
    trained: list = []

    def wrong_to_go(rewards, gamma):
        return np.cumsum(rewards)

    results = trainings.run_checks(_checks(trained), _functions(discounted_return, wrong_to_go, to_go_correct=False))
    (ret, _), (to_go, _), (together, _) = results
    assert ret.passed and "your `discounted_reward_to_go`" not in ret.output  # trained with the reference's
    assert not to_go.passed and not together.passed
    assert "your loss" not in together.output and "your `discounted_return`" in together.output
    assert len(trained) == 3  # each check its own training: nothing to share


def test_a_partner_that_passes_its_public_checks_but_fails_training_is_replaced_after_all():
    """The reward-to-go passes its public checks but answers wrong here: the return's check fails
    with it, is trained again with the reference's, passes, and says why it was retrained."""
    trained: list = []

    def sly_to_go(rewards, gamma):
        return np.zeros(len(rewards))

    results = trainings.run_checks(_checks(trained), _functions(discounted_return, sly_to_go))
    (ret, _), (to_go, _), (together, _) = results
    assert ret.passed
    assert "With your `discounted_reward_to_go` too (it passes its public checks), seed 0 did not learn" in ret.output
    assert "The seeds above trained with the reference's `discounted_reward_to_go`." in ret.output
    assert not to_go.passed and not together.passed
    assert (
        len(trained) == 3
    )  # both yours (shared by the three checks), the fallback, the reward-to-go with the reference return


def test_together_fails_and_says_so_when_the_partner_could_not_be_imported():
    trained: list = []
    functions = _functions(discounted_return, discounted_reward_to_go)
    functions["discounted_return"] = trainings.Function(RETURN, None, False, functions["discounted_return"].reference)
    results = trainings.run_checks(_checks(trained)[1:], functions)
    (to_go, _), (together, _) = results
    assert to_go.passed and "your `discounted_return`" not in to_go.output
    assert not together.passed and together.output == (
        "This check trains with your `discounted_return` too, which could not be imported."
    )


def test_a_partner_returning_a_hostile_type_is_named_through_the_markdown_writer():
    """The type name is the student's: a learning check's feedback quotes it as code, as the
    interface check does, never as markup."""
    from grader import text
    from grader.learning.check import Calls

    hostile = type("`x` **bold** <b>hi</b> [a](http://e)", (), {})
    calls = Calls(LocalOracle(lambda rewards, gamma: hostile(), TO_GO.contract), TO_GO)
    assert calls(REWARDS, np.asarray(0.9)) is None
    assert calls.why == f"returned a {text.code(hostile.__name__)}, not an array of numbers"
    assert "**bold**" not in calls.why.replace(text.code(hostile.__name__), "")
