"""`python -m grader explain SUB` (and `selfcheck.py --explain`): one small batch walked through.

Each walk-through of the exercise (naming.walkthrough.Walkthrough, one per part, in a public
module of the exercise) gives the batch, the correct steps with their numbers, and how
the student's own answer on that batch compares; this module asks the oracle
for that answer and puts the text together. The batch is public, so nothing
here depends on a hidden input. The handout ships this module: only
``explain_submission`` needs the sandbox, and imports it when called.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, List, Optional, Sequence, Tuple, Union

from grader.calling.answer import Answer
from grader.calling.oracle import Oracle, Outcome
from grader.checks.part import Catalog, Walkthrough, load_walkthroughs
from grader.errors import LoadError
from grader.text import code, printable

if TYPE_CHECKING:  # the handout has no sandbox
    from grader.sandbox.parent import Zygote
    from grader.submission.load import Source


def explain(oracle: Oracle, walkthrough: Walkthrough, name: str, catalog: Optional[Catalog] = None) -> str:
    """The steps on the walk-through's batch, then the student's answer (name: their file's) on it,
    for a terminal: whatever the submission said is printable. catalog: the part's mistakes' texts."""
    return told(walkthrough, oracle.call(*walkthrough.arrays), name, catalog)


def told(walkthrough: Walkthrough, outcome: Outcome, name: str, catalog: Optional[Catalog] = None) -> str:
    """The steps, then what the student's function (in file name) gave on their batch."""
    head = f"Yours ({name if name.startswith('your ') else code(name)}) on the same batch:"
    if not isinstance(outcome, Answer):
        tail = f"   no answer: {outcome.message}."
    elif outcome.error is not None:
        where = "".join(f"\n   {line}" for line in (outcome.traceback or "").rstrip().splitlines())
        tail = f"   it raised `{outcome.error}`{where}"
    else:
        tail = walkthrough.compare(outcome, catalog or {})
    return printable("\n".join([walkthrough.steps(), "", head, tail]))


def sections(explained: Sequence[Tuple[str, str]]) -> str:
    """Each part's walk-through (function, text), under its function's name when there are several."""
    if len(explained) == 1:
        return explained[0][1]
    return "\n\n".join(f"{function}\n{'=' * len(function)}\n\n{text}" for function, text in explained)


def explain_submission(path: Path, zygote: Zygote, exercise: str) -> str:
    """The walk-throughs beside a submission's answers, which run in the sandbox (public data only)."""
    from grader.course import rubric

    try:
        source, answered = sandboxed_outcomes(path, zygote, exercise)
    except LoadError as exc:
        return printable(f"Your submission could not be read: {exc}")
    if not answered:
        return f"The exercise {exercise!r} has no walk-through."
    explained = []
    for walkthrough, outcome in answered:
        catalog = {m.id: m for m in rubric.solution(exercise, walkthrough.function).catalog}
        said = (
            told(walkthrough, outcome, source.shown, catalog)
            if not isinstance(outcome, str)
            else f"Importing {code(source.shown)} failed: {outcome}"
        )
        explained.append((walkthrough.function, said))
    return printable("".join(f"{note}\n\n" for note in source.notes) + sections(explained))


def sandboxed_outcomes(
    path: Path, zygote: Zygote, exercise: str
) -> Tuple[Source, List[Tuple[Walkthrough, Union[Outcome, str]]]]:
    """Each walk-through with what the submission's function of its part gave on its batch, in one
    child for them all (or why the function could not be imported). Raises LoadError for an unreadable file."""
    from grader.course import registry, rubric
    from grader.sandbox.sandboxed import SandboxChild
    from grader.submission.load import load_submission

    folder = registry.folders(exercise)[0]
    spec = rubric.exercise(exercise)
    source = load_submission(path, spec.functions[0], rubric.stub_text(exercise), spec.functions[1:])
    found: List[Tuple[Walkthrough, Union[Outcome, str]]] = []
    child = SandboxChild(zygote, source.files, [part.contract for part in spec.parts], name=source.shown)
    try:
        errors = child.import_submission()
        for walkthrough in load_walkthroughs(folder / "exercise.py"):
            error = errors[walkthrough.function]
            found.append(
                (walkthrough, error if error else child.oracle(walkthrough.function).call(*walkthrough.arrays))
            )
    finally:
        child.close()
    return source, found
