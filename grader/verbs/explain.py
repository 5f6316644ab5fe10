"""`python -m grader explain SUB` (and `selfcheck.py --explain`): one small batch walked through.

The exercise's walk-through (checks.part.Walkthrough, in a public module of
the exercise) gives the batch, the correct steps with their numbers, and how
the student's own answer on that batch compares; this module asks the oracle
for that answer and puts the text together. The batch is public, so nothing
here depends on a hidden input. The handout ships this module: only
``explain_submission`` needs the sandbox, and imports it when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from grader.calling.answer import Answer
from grader.calling.oracle import Oracle
from grader.checks.part import Walkthrough, load_walkthrough
from grader.errors import LoadError
from grader.text import code, printable

if TYPE_CHECKING:  # the handout has no sandbox
    from grader.sandbox.parent import Zygote


def explain(oracle: Oracle, walkthrough: Walkthrough, name: str) -> str:
    """The steps on the walk-through's batch, then the student's answer (name: their file's) on it,
    for a terminal: whatever the submission said is printable."""
    outcome = oracle.call(*walkthrough.arrays)
    head = f"Yours ({name if name.startswith('your ') else code(name)}) on the same batch:"
    if not isinstance(outcome, Answer):
        tail = f"   no answer: {outcome.message}."
    elif outcome.error is not None:
        where = "".join(f"\n   {line}" for line in (outcome.traceback or "").rstrip().splitlines())
        tail = f"   it raised `{outcome.error}`{where}"
    else:
        tail = walkthrough.compare(outcome)
    return printable("\n".join([walkthrough.steps(), "", head, tail]))


def explain_submission(path: Path, zygote: Zygote, exercise: str) -> str:
    """The walk-through beside a submission's answer, which runs in the sandbox (public data only)."""
    from grader.course import registry, rubric
    from grader.sandbox.sandboxed import SandboxOracle
    from grader.submission.load import load_submission

    folder = registry.folders(exercise)[0]
    spec = rubric.exercise(exercise)
    walkthrough = load_walkthrough(folder / "exercise.py")  # of its first part
    contract = spec.parts[0].contract
    if walkthrough is None:
        return f"The exercise {exercise!r} has no walk-through."
    try:
        source = load_submission(path, contract.function, (folder / spec.stub_file).read_text(), spec.functions[1:])
    except LoadError as exc:
        return printable(f"Your submission could not be read: {exc}")
    notes = "".join(f"{note}\n\n" for note in source.notes)
    oracle = SandboxOracle(zygote, source.files, contract, name=source.shown)
    try:
        error = oracle.import_submission()
        text = (
            f"Importing {code(source.shown)} failed: {error}" if error else explain(oracle, walkthrough, source.shown)
        )
    finally:
        oracle.close()
    return printable(notes + text)
