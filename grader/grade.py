"""Grade one submission: load → sandboxed oracle → checks → diagnosis → learning → results.json.

``grade`` never raises for anything a submission does; ``grade_safely`` also
turns a fault of the grader itself into a valid results.json, so a file is
always written.
"""
from __future__ import annotations

import dataclasses
import time
import traceback
from pathlib import Path
from typing import Dict, List, Sequence

from grader import checks, diagnose, results
from grader.checks import CheckResult
from grader.load import LoadError, Source, load
from grader.sandboxed import SandboxOracle
from grader.rubric import Rubric
from grader.sandbox import Limits, Zygote

OUTPUT_SHOWN_BYTES = 2048


def grade(path: Path, zygote: Zygote, rubric: Rubric, limits: Limits = Limits(), learning: bool = True) -> Dict:
    start = time.monotonic()
    timing: Dict[str, float] = {}
    try:
        source = load(path)
    except LoadError as exc:
        return results.not_graded(rubric.weights, str(exc), time.monotonic() - start)
    timing["load"] = time.monotonic() - start
    oracle = SandboxOracle(zygote, source.files, limits)
    try:
        error = oracle.load()
        extra = {"graded_file": source.graded.name, "sandbox": list(oracle.layers)}
        if error is not None:
            reason = f"importing it failed: {error}"
            document = results.not_graded(rubric.weights, reason, time.monotonic() - start, extra=extra)
            document["output"] += _printed(oracle)
            return document
        timing["import"] = time.monotonic() - start - timing["load"]
        graded, mistakes, extra_checks = _run_checks(oracle, rubric, timing, learning)
        extra.update(extra_checks)
        extra["timing"] = {key: round(value, 4) for key, value in timing.items()}
        summary = _summary(graded, source, mistakes) + _printed(oracle)
        return results.build(graded, summary=summary, mistakes=mistakes, extra=extra,
                             seconds=time.monotonic() - start)
    finally:
        oracle.close()


def grade_safely(path: Path, zygote: Zygote, rubric: Rubric, **options) -> Dict:
    """grade(), but a fault of ours becomes an "Autograder error" result instead of an exception."""
    start = time.monotonic()
    try:
        return grade(path, zygote, rubric, **options)
    except Exception:
        return results.grader_fault(traceback.format_exc(), time.monotonic() - start)


def _run_checks(oracle: SandboxOracle, rubric: Rubric, timing: Dict[str, float], learning: bool):
    tick = time.monotonic()
    graded: List[CheckResult] = checks.run(oracle, rubric.cases, rubric.weights)
    timing["checks"] = time.monotonic() - tick
    mistakes: Sequence[str] = ()
    if not all(check.passed for check in graded):  # a correct submission is never diagnosed
        tick = time.monotonic()
        suspects, catalog = diagnose.default_suspects()
        found = diagnose.diagnose(diagnose.ask_probes(oracle), suspects, catalog)
        mistakes = found.mistakes
        graded = [_with_diagnosis(check, found.feedback) for check in graded]
        timing["diagnosis"] = time.monotonic() - tick
    return graded, list(mistakes), {}


def _with_diagnosis(check: CheckResult, feedback: str) -> CheckResult:
    if check.passed or not feedback:
        return check
    return dataclasses.replace(check, output=f"{check.output}\n\n{feedback}")


def _summary(graded: List[CheckResult], source: Source, mistakes: Sequence[str]) -> str:
    failed = [check.title for check in graded if not check.passed]
    lines = [f"Failed: {', '.join(failed)}." if failed else "All checks passed."]
    if mistakes:
        from reference.mistakes import by_id

        named = "; ".join(f"`{m}`: {by_id(m).title}" for m in mistakes)
        lines.append(f"Diagnosis: {named}. The failing tests below show the numbers.")
    lines.extend(source.notes)
    return "\n\n".join(lines)


def _printed(oracle: SandboxOracle) -> str:
    text = oracle.output.text()
    if not text.strip():
        return ""
    shown = results.cap_text(text, OUTPUT_SHOWN_BYTES).replace("```", "'''")
    return f"\n\nYour code printed ({oracle.output.total} bytes; first and last lines shown):\n```\n{shown}\n```"
