"""Hostile and careless whole-homework uploads (tests/submissions/reinforce/hostile/), each the
correct tests/submissions/reinforce/correct/homework_loops.py with one function changed, graded for
real through the sandbox as the CLI grades them.

What must hold today, with a sandboxed child per part, and after the parts of an upload share one
child (and one for the hidden cases): one part's bad behaviour (killing its process, hanging,
eating memory, printing, module globals) never costs another part's points, except the "together"
check, which trains with the reward-to-go and the loss at once and may fail; and no grade becomes
an "Autograder error" or shows a traceback of the grader. Every test trains CartPole (slow).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Dict, Union

import pytest
from conftest import CORPORA
from rendered import document_problems

from grader.course import rubric
from grader.course.rubric import Rubric
from grader.sandbox.parent import Limits
from grader.verbs.parts import labelled

HOSTILE = CORPORA / "reinforce" / "hostile"
HANG = Limits(call_timeout_s=1.0, budget_s=30.0)  # a hang costs ~1 s a call; same grade as the defaults
RTG, GAE, LOSS = "discounted_reward_to_go", "gae_advantages", "pseudo_loss"


@functools.cache
def whole() -> Rubric:
    """The exercise's rubric, loaded when a test first runs, not when the suite is collected."""
    return rubric.load_rubric("reinforce")


def full() -> Dict[str, float]:
    """Each part's points when every check passes."""
    return {graded.function: sum(graded.weights.values()) for graded in whole().parts}


def weight(key: str) -> float:
    """A check's points by its labelled key ("pseudo_loss.together")."""
    function, check = key.split(".", 1)
    return next(graded.weights[check] for graded in whole().parts if graded.function == function)


def graded(zygote, name: Union[str, Path], limits: Limits = Limits()) -> dict:
    """The upload's results.json, held to what every grade must be whatever the upload does."""
    from grader.verbs.grade import grade_safely

    document = grade_safely(HOSTILE / name, zygote, whole(), limits=limits)
    extra = document["extra_data"]
    assert extra["status"] == "graded" and "grader_fault" not in extra, extra.get("grader_fault")
    assert not [test for test in document["tests"] if test["name"].endswith("Autograder error")]
    said = "\n".join([document["output"], *(test["output"] for test in document["tests"])])
    assert "Traceback (most recent call last)" not in said and "grader/" not in said
    assert not document_problems(document), document_problems(document)
    return document


def checks(document: dict) -> Dict[str, dict]:
    """Each test of the document by its check's key, named after its part ("pseudo_loss.together")."""
    by_name = {test["name"].split(". ", 1)[1]: test for test in document["tests"]}
    found = {}
    for part in whole().parts:
        for key in part.weights:
            labelled_key, title = labelled(part.function, key, part.part.titles[key])
            found[labelled_key] = by_name[title]
    return found


def parts(document: dict) -> Dict[str, float]:
    return {function: part["score"] for function, part in document["extra_data"]["parts"].items()}


def failed(found: Dict[str, dict]) -> set:
    return {key for key, test in found.items() if test["status"] != "passed"}


@pytest.mark.slow
def test_a_reward_to_go_that_exits_on_every_call_costs_its_own_part_and_together_only(zygote):
    document = graded(zygote, "rtg_exits_on_every_call.py")
    found = checks(document)
    assert failed(found) == {key for key in found if key.startswith(f"{RTG}.")} | {f"{LOSS}.together"}
    assert parts(document) == {**full(), RTG: 0, LOSS: full()[LOSS] - weight(f"{LOSS}.together")}
    assert "the process exited with status 3" in found[f"{RTG}.value"]["output"]
    assert found[f"{LOSS}.learning"]["score"] == weight(f"{LOSS}.learning")  # the reference reward-to-go
    together = found[f"{LOSS}.together"]["output"]
    assert f"Your `{RTG}` did not answer" in together  # the reason names the reward-to-go, not the loss


@pytest.mark.slow
def test_a_reward_to_go_that_sigkills_itself_is_graded_as_returning_none(zygote, tmp_path):
    """The child is its pid namespace's init, so a SIGKILL it sends itself is ignored and the function
    falls off its end: the grade of the twin that returns None (every check of its part 0: None holds
    no number to time or compare), the other parts untouched but "together", which names the reward-to-go."""
    source = (HOSTILE / "rtg_sigkills_on_every_call.py").read_text()
    twin = tmp_path / "rtg_returns_none.py"
    twin.write_text(source.replace("    os.kill(os.getpid(), signal.SIGKILL)\n", "    return None\n"))
    assert twin.read_text() != source
    document = graded(zygote, "rtg_sigkills_on_every_call.py")
    found, like_none = checks(document), checks(graded(zygote, twin))
    assert {key: test["score"] for key, test in found.items()} == {key: t["score"] for key, t in like_none.items()}
    zeroed = {key for key in found if key.startswith(f"{RTG}.")}
    assert failed(found) == zeroed | {f"{LOSS}.together"} and parts(document)[RTG] == 0
    assert parts(document)[GAE] == full()[GAE] and parts(document)["discounted_return"] == full()["discounted_return"]
    assert found[f"{LOSS}.learning"]["score"] == weight(f"{LOSS}.learning")
    assert f"Your `{RTG}` returned `None` (is a `return` missing?)." in found[f"{LOSS}.together"]["output"]


@pytest.mark.slow
def test_a_loss_that_loops_forever_costs_its_own_part_only(zygote):
    document = graded(zygote, "loss_loops_forever.py", HANG)
    found = checks(document)
    assert failed(found) == {key for key in found if key.startswith(f"{LOSS}.")}
    assert parts(document) == {**full(), LOSS: 0}
    assert "no answer within 1 s" in found[f"{LOSS}.value"]["output"]
    assert found[f"{RTG}.learning"]["score"] == weight(f"{RTG}.learning")  # the reference loss


@pytest.mark.slow
def test_a_reward_to_go_wrong_only_on_cartpole_costs_its_learning_and_together_not_the_losss(zygote):
    """Its every value check passes (public and hidden) and its training fails. The loss is right, so
    its own learning check passes: once that check may train with the student's reward-to-go when it
    passes its public checks, it must fall back to the reference's when training with it fails."""
    document = graded(zygote, "rtg_zero_on_cartpole.py")
    found = checks(document)
    assert failed(found) == {f"{RTG}.learning", f"{LOSS}.together"}
    learning, together = weight(f"{RTG}.learning"), weight(f"{LOSS}.together")
    assert parts(document) == {**full(), RTG: full()[RTG] - learning, LOSS: full()[LOSS] - together}
    hidden = {key: seen["failed"] for key, seen in document["extra_data"]["hidden"].items() if key.startswith(RTG)}
    assert hidden and not any(hidden.values()), hidden
    assert "mean return reached only" in found[f"{RTG}.learning"]["output"]
    assert found[f"{LOSS}.learning"]["score"] == weight(f"{LOSS}.learning")
    # the loss's own check says it first trained with the student's reward-to-go, then the reference's
    assert (
        "With your `discounted_reward_to_go` too (it passes its public checks), seed 0 did not learn"
        in (found[f"{LOSS}.learning"]["output"])
    )
    assert document["extra_data"]["mistakes"] == []
    # what is wrong with the loss's part names both functions: the loss alone is not blamed
    wrong = document["extra_data"]["wrong"]
    assert (
        f"{LOSS}: Trained with your loss and your `discounted_reward_to_go`, a CartPole-v1 policy did not learn"
        in wrong
    )


@pytest.mark.slow
def test_a_gae_that_eats_memory_costs_its_own_part_only(zygote):
    document = graded(zygote, "gae_eats_memory.py")
    found = checks(document)
    assert failed(found) == {key for key in found if key.startswith(f"{GAE}.")}
    assert parts(document) == {**full(), GAE: 0}
    assert "the function ran out of memory" in found[f"{GAE}.interface"]["output"]


@pytest.mark.slow
def test_a_global_shared_by_two_functions_gets_full_marks(zygote):
    document = graded(zygote, "global_shared_between_parts.py")
    assert failed(checks(document)) == set()
    assert parts(document) == full()
    assert document["score"] == sum(full().values())


@pytest.mark.slow
def test_printing_in_two_parts_is_shown_and_costs_nothing(zygote):
    document = graded(zygote, "prints_in_two_parts.py")
    assert failed(checks(document)) == set()
    assert parts(document) == full()
    output = document["output"]
    shown = output[output.index("Your code printed") :]  # after every part's section, once or per part
    assert "debug rtg: rewards" in shown and "debug loss: logits" in shown
