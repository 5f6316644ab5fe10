"""Grade one submission: load → sandboxed oracle → public cases, probes, learning → its child
ends → hidden cases in a fresh child → checks, diagnosis → results.json.

``grade`` never raises for anything a submission does; ``grade_safely`` also
turns a fault of the grader itself into a valid results.json, so a file is
always written.
"""

from __future__ import annotations

import time
import traceback
from pathlib import Path
from typing import Dict

from grader import text
from grader.checks.assessment import Learn, assess, summary
from grader.outputs import results
from grader.rubric import Rubric, folders
from grader.sandbox.oracle import SandboxOracle
from grader.sandbox.parent import Limits, Zygote
from grader.submission.load import LoadError, load

OUTPUT_SHOWN_BYTES = 2048


def grade(path: Path, zygote: Zygote, rubric: Rubric, limits: Limits = Limits(), learning: bool = True) -> Dict:
    start = time.monotonic()
    weights = rubric.weights if learning else {k: w for k, w in rubric.weights.items() if k != "learning"}
    try:
        source = load(path, rubric.exercise.contract.function, _stub(rubric))
    except LoadError as exc:
        return results.not_graded(weights, rubric.exercise.titles, str(exc), time.monotonic() - start)
    loaded = time.monotonic()
    contract = rubric.exercise.contract
    oracle = SandboxOracle(zygote, source.files, contract, limits, source.shown)
    # Its child starts only once oracle's has ended (assessment.py); what it prints is never shown.
    hidden_oracle = SandboxOracle(zygote, source.files, contract, limits, source.shown)
    try:
        error = oracle.load()
        extra: Dict[str, object] = {
            "graded_file": source.graded.name,
            "graded_why": source.why,
            "sandbox": list(oracle.layers),
        }
        if error is not None:
            reason = " ".join([f"importing it failed: {error}", *source.notes])
            document = results.not_graded(
                weights, rubric.exercise.titles, reason, time.monotonic() - start, extra=extra
            )
            document["output"] += _printed(oracle)
            return document
        timing = {"load": loaded - start, "import": time.monotonic() - loaded}
        result = assess(
            oracle,
            rubric.exercise,
            rubric.cases,
            weights,
            rubric.suspects,
            learn=None if not learning else _learn(rubric, weights["learning"]),
            hidden_oracle=hidden_oracle,
        )
        timing.update(result.timing)
        extra.update(result.extra, timing={key: round(value, 4) for key, value in timing.items()})
        catalog = rubric.suspects()[1] if result.mistakes else {}
        text = summary(result, catalog, source.notes) + _printed(oracle)
        return results.build(
            result.checks, summary=text, mistakes=result.mistakes, extra=extra, seconds=time.monotonic() - start
        )
    finally:
        oracle.close()
        hidden_oracle.close()


def grade_safely(path: Path, zygote: Zygote, rubric: Rubric, **options) -> Dict:
    """grade(), but a fault of ours becomes an "Autograder error" result instead of an exception."""
    start = time.monotonic()
    try:
        return grade(path, zygote, rubric, **options)
    except Exception:
        return results.grader_fault(traceback.format_exc(), time.monotonic() - start)


def _stub(rubric: Rubric) -> str:
    """The handout's stub, which the loader never grades while another file defines the function."""
    return (folders(rubric.name)[0] / rubric.exercise.stub_file).read_text()


def _learn(rubric: Rubric, weight: float) -> Learn:
    from grader.learning.check import check_learning, trainer  # gymnasium only when learning is graded
    from grader.rubric import instructor

    learning = trainer(instructor(rubric.name).LEARNING)
    return lambda oracle: check_learning(oracle, rubric.exercise, learning, weight)


def _printed(oracle: SandboxOracle) -> str:
    printed = oracle.output.text()
    if not printed.strip():
        return ""
    shown = text.cap_text(printed, OUTPUT_SHOWN_BYTES).replace("```", "'''")
    return f"\n\nYour code printed ({oracle.output.total} bytes; first and last lines shown):\n```\n{shown}\n```"
