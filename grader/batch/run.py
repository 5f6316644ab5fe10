"""Grade a class: every file or folder of a directory, or a Gradescope export, in parallel.

Theory of operation
-------------------
Processes::

    batch     trusted: forks the zygote *first*, then loads the rubric (and with it the
     │        reference), fingerprints every entry and writes every output file
     ├ zygote   (sandbox.py) forks the sandboxed children, for every worker alike
     └ worker × jobs   forked from the batch once the rubric is loaded, so each has it
                       for free; reads entry numbers from its task pipe, grades each
                       with grade_safely() through the shared zygote socket, and sends
                       the results document back on its answer pipe (8-byte length, JSON)

A worker never writes a file. The batch writes each result atomically (temp file
+ os.replace) as it arrives, so a worker that dies cannot leave half a file or
touch another entry's. The batch notices a dead worker by its answer pipe
closing, gives the entry it held a "grader error" result and forks a
replacement; an entry still running after ``ENTRY_WALL_S`` is treated the same
way. Loading a submission has its own memory and time budget (submission.bounded):
one that stalls there is not graded, after seconds. Workers die with the batch (PR_SET_PDEATHSIG): a
killed batch leaves nothing running and loses only the entries in flight.

Resuming and regrading a few entries (``only``): see plan.py. Once grading is over,
the class's files are written from every entry's result (class_files.py).
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Dict, Iterator, Optional, Sequence

import grader
from grader import text
from grader.batch.class_files import PREVIOUS, keep_previous, late_policy_of, told, write_class_files
from grader.batch.contents import code_print, files_found
from grader.batch.entries import Entry, discover, fingerprint, result_files
from grader.batch.plan import GRADER_ERROR_ATTEMPTS, attempts_of, choose, plan, plan_text, previous, rubric_hash, salt
from grader.batch.pool import run_pool
from grader.batch.progress import Progress, running_labels
from grader.errors import Exit, GraderError
from grader.outputs import plots, results
from grader.outputs.report import Header
from grader.outputs.students import LatePolicy
from grader.outputs.table import status_of, summary_table

if TYPE_CHECKING:  # the rubric imports torch, which a batch imports only once its zygote is forked
    from grader.course.rubric import Rubric

ENTRY_WALL_S = 15 * 60.0  # last resort: grade_submission() enforces the real budgets itself


def run_batch(
    directory: Path,
    out: Path,
    jobs: Optional[int] = None,
    force: bool = False,
    *,
    exercise: Optional[str] = None,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    limits=None,
    entry_wall_s: float = ENTRY_WALL_S,
    late_policy: Optional[str] = None,
) -> Exit:
    """Grade every entry of `directory` into `out` on `exercise` (default: registry.resolve's);
    0 when every entry has a results file. only: regrade just these entries (names in
    `directory`), keeping every other result; then 0 when each of them has one, and 2 if one
    names no entry. skip: names in `directory` that are no entry (the course's own files kept
    beside the submissions). late_policy: "10%/day,cap=50%" (students.parse_policy), else
    rubric.json's "late_policy", else none. `limits` (sandbox.Limits) and `entry_wall_s` are for
    the Python API; the CLI keeps the defaults."""
    from grader.course.registry import resolve
    from grader.sandbox.parent import Zygote

    name = resolve(exercise)
    try:
        policy = late_policy_of(name, late_policy)
    except GraderError as exc:
        print(f"error: {text.printable(str(exc))}", file=sys.stderr)
        return Exit.USAGE

    try:
        # The zygote first, before grader.course.rubric imports the reference: see sandbox/parent.py.
        with Zygote.start() as zygote, _terminate_as_interrupt():
            return _run(
                Path(directory),
                Path(out),
                jobs or _cores(),
                force,
                zygote,
                limits,
                entry_wall_s,
                name,
                only,
                skip,
                policy,
            )
    except KeyboardInterrupt:  # outside grading proper: loading, fingerprinting, the report
        print(
            "\nInterrupted; the results written so far are kept. Run the same command again to finish.", file=sys.stderr
        )
        return Exit.INTERRUPTED


def _run(
    directory: Path,
    out: Path,
    jobs: int,
    force: bool,
    zygote,
    limits,
    wall_s: float,
    exercise: str,
    only: Sequence[str] = (),
    skip: Sequence[str] = (),
    policy: Optional[LatePolicy] = None,
) -> Exit:
    from grader.course import rubric as rubric_module

    rubric = rubric_module.load_rubric(exercise)
    for graded in rubric.parts:  # built once here and shared by every forked worker
        rubric.suspects(graded.function)
    try:
        entries, origin = discover(directory, exclude=out)
    except GraderError as exc:  # the folder given is not one class
        print(f"error: {text.printable(str(exc))}", file=sys.stderr)
        return Exit.USAGE
    entries = [entry for entry in entries if entry.name not in skip]
    chosen, unknown = choose(entries, only)
    if unknown:
        print("\n".join(f"error: {text.printable(origin)}: {line}" for line in unknown), file=sys.stderr)
        return Exit.USAGE
    store = _folders(out)
    salted = salt(limits, rubric.files())
    prints = {entry.name: fingerprint(entry.path, salted, follow=not entry.refused) for entry in entries}
    files = {name: store / file for name, file in result_files(entries).items()}
    made = plan(entries, files, prints, force, chosen if only else None)
    documents, todo = made.documents, made.todo
    jobs = max(1, min(jobs, len(todo) or 1))
    print(
        f"{text.printable(origin)}: {len(entries)} entries; {plan_text(made, jobs, bool(only))}",
        file=sys.stderr,
        flush=True,
    )

    if not _grade_todo(todo, rubric, zygote, limits, jobs, wall_s, made, prints, files):
        have = sum(
            entry.name in documents or previous(files[entry.name], prints[entry.name])[0] is not None
            for entry in entries
        )
        _say_interrupted(have, len(entries), force)
        return Exit.INTERRUPTED
    header = Header(
        text.printable(os.path.abspath(directory)), _now(), grader.__version__, rubric_hash(rubric.files()), exercise
    )
    return _finish(out, entries, documents, files, header, chosen if only else None, policy)


def _grade_todo(todo, rubric: Rubric, zygote, limits, jobs: int, wall_s: float, made, prints, files) -> bool:
    """Grade the entries to do in forked workers, writing each result as it comes; False when
    interrupted (what is written stays)."""
    from grader.verbs.grade import grade_safely, not_graded

    progress = Progress(len(todo))
    options = {} if limits is None else {"limits": limits}
    from grader.course.rubric import stub_text

    function = rubric.parts[0].function
    stub = stub_text(rubric.name)  # never graded (submission/stub.py)

    def work(entry: Entry) -> results.Results:  # runs in a worker
        if entry.refused:
            refused = text.Markdown(entry.refused)  # entries.py's words, its names put in by text.code
            document = not_graded(rubric, refused)
        else:
            document = grade_safely(entry.path, zygote, rubric, **options)
        status = status_of(document)
        found = {"files": files_found(entry.path)} if status == results.NOT_GRADED and not entry.refused else {}
        code = {"code": code_print(entry.path, function, stub)} if status == results.GRADED else {}
        document["extra_data"]["batch"] = {**found, **code}
        return document

    def done(entry: Entry, document: results.Results, seconds: float) -> None:  # runs here, once per entry
        keep_previous(files[entry.name])
        document["extra_data"].setdefault("batch", {}).update(
            {
                "entry": entry.label,
                "fingerprint": prints[entry.name],
                "attempts": made.attempts[entry.name],
                "seconds": round(seconds, 3),
                "grader_version": grader.__version__,
            }
        )
        results.write(files[entry.name], document)
        made.documents[entry.name] = document
        progress.update(entry.shown, document, seconds)

    try:
        run_pool(
            todo,
            work,
            workers=jobs,
            wall_s=wall_s,
            done=done,
            tick=lambda on: progress.tick(running_labels(on)),
            meanwhile=plots.preload,  # the report's plotting library loads while the workers grade
        )
    except KeyboardInterrupt:
        return False
    finally:
        progress.close()
    return True


def _finish(
    out: Path,
    entries: Sequence[Entry],
    documents: Dict[str, results.Results],
    files: Dict[str, Path],
    header: Header,
    only: Optional[Sequence[str]] = None,
    policy: Optional[LatePolicy] = None,
) -> Exit:
    """The class's files and the summary table, from every entry's result; 0 when every entry
    (or every one of `only`) has a result."""
    from grader.course.rubric import mistake_titles

    written = write_class_files(out, entries, documents, files, mistake_titles(header.exercise), header, policy)
    print(summary_table(written.rows))
    retried = sum(
        status_of(document) == results.GRADER_ERROR and attempts_of(document) < GRADER_ERROR_ATTEMPTS
        for document in documents.values()
    )
    if retried:
        print(
            f"\n{retried} grader error{'s' * (retried > 1)}: the same command again grades "
            f"{'them' if retried > 1 else 'it'} once more."
        )
    print("\n".join(told(written, text.printable(str(out)))))  # stdout would refuse a path that is not UTF-8
    wanted = [entry.name for entry in entries] if only is None else only
    return Exit.OK if all(name in documents for name in wanted) else Exit.FAILED


def _folders(out: Path) -> Path:
    """OUT, OUT/results (returned) and OUT/feedback, private; no temp file of a killed batch left."""
    store = out / "results"
    for folder in (out, store, out / "feedback", out / PREVIOUS):
        _private_dir(folder)
    for stale in store.glob(".*.tmp"):  # left by a batch killed while writing
        stale.unlink()
    return store


def _say_interrupted(have: int, entries: int, force: bool) -> None:
    print(
        f"\nInterrupted: {have} of {entries} entries have a result, {entries - have} remain. "
        f"Run the same command again{' without --force' if force else ''} to grade the rest.",
        file=sys.stderr,
    )


def _now() -> str:
    return datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %z")


def _private_dir(path: Path) -> None:
    """As root, the sandboxed children run as another user: that user must not read the
    class's results, names and emails (DESIGN.md, trust boundary), even without Landlock."""
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and (not existed or path.name in ("results", "feedback", PREVIOUS)):
        os.chmod(path, 0o700)


@contextlib.contextmanager
def _terminate_as_interrupt() -> Iterator[None]:
    """`kill` (SIGTERM) stops the batch as cleanly as Ctrl-C."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1
