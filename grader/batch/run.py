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
way. Loading a submission has its own budget, ``LOAD_S``: one that stalls there
is not graded, after seconds. Workers die with the batch (PR_SET_PDEATHSIG): a
killed batch leaves nothing running and loses only the entries in flight.

Resuming: every result carries a fingerprint of the entry's contents, the grader
version, the rubric and reference files and the limits. A rerun skips entries
whose result has the same fingerprint (unless ``force``); one that ended in a
grader error is graded once more, and a second grader error is kept.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Sequence, Tuple

import grader
from grader import text
from grader.batch.entries import Entry, discover, fingerprint, result_files
from grader.batch.pool import run_pool
from grader.outputs import results
from grader.outputs.files import write_atomic
from grader.outputs.table import grades_csv, row_of, score_text, status_of, summary_table

ENTRY_WALL_S = 15 * 60.0  # last resort: grade() enforces the real budgets itself
LOAD_S = 10.0  # reading a submission takes milliseconds; one still reading has stalled
GRADER_ERROR_ATTEMPTS = 2  # a grader error is graded once more; a second one may be the entry's doing
EXIT_INTERRUPTED = 130


def run_batch(
    directory: Path,
    out: Path,
    jobs: Optional[int] = None,
    force: bool = False,
    *,
    exercise: Optional[str] = None,
    limits=None,
    entry_wall_s: float = ENTRY_WALL_S,
    load_s: float = LOAD_S,
) -> int:
    """Grade every entry of `directory` into `out` on `exercise` (default: rubric.resolve's);
    0 when every entry has a results file. `limits` (sandbox.Limits), `entry_wall_s` and `load_s`
    are for the Python API; the CLI keeps the defaults."""
    from grader.rubric import resolve
    from grader.sandbox.parent import Zygote

    name = resolve(exercise)

    try:
        # The zygote first, before grader.rubric imports the reference: see sandbox/parent.py.
        with Zygote.start() as zygote, _terminate_as_interrupt():
            return _run(Path(directory), Path(out), jobs or _cores(), force, zygote, limits, entry_wall_s, load_s, name)
    except KeyboardInterrupt:  # outside grading proper: loading, fingerprinting, the report
        print(
            "\nInterrupted; the results written so far are kept. Run the same command again to finish.", file=sys.stderr
        )
        return EXIT_INTERRUPTED


def _run(
    directory: Path, out: Path, jobs: int, force: bool, zygote, limits, wall_s: float, load_s: float, exercise: str
) -> int:
    from grader import rubric as rubric_module
    from grader.verbs.grade import grade_safely

    rubric = rubric_module.load(exercise)
    rubric.suspects()  # built once here and shared by every forked worker
    entries, origin = discover(directory, exclude=out)
    store = out / "results"
    _private_dir(out)
    _private_dir(store)
    for stale in store.glob(".*.tmp"):  # left by a batch killed while writing
        stale.unlink()
    salt = _salt(limits, rubric.files())
    prints = {entry.name: fingerprint(entry.path, salt, follow=not entry.refused) for entry in entries}
    files = {name: store / file for name, file in result_files(entries).items()}
    documents, todo, attempts = _plan(entries, files, prints, force)
    jobs = max(1, min(jobs, len(todo) or 1))
    print(f"{origin}: {len(entries)} entries; {_plan_text(todo, jobs, documents)}", file=sys.stderr, flush=True)

    progress = _Progress(len(todo))
    options = {} if limits is None else {"limits": limits}

    def work(entry: Entry) -> dict:  # runs in a worker
        if entry.refused:
            return results.not_graded(rubric.weights, rubric.exercise.titles, entry.refused)
        return _load_budget(load_s, rubric, lambda: grade_safely(entry.path, zygote, rubric, **options))

    def done(entry: Entry, document: dict, seconds: float) -> None:  # runs here, once per entry
        document.setdefault("extra_data", {})["batch"] = {
            "entry": entry.label,
            "fingerprint": prints[entry.name],
            "attempts": attempts[entry.name],
            "seconds": round(seconds, 3),
            "grader_version": grader.__version__,
        }
        results.write(files[entry.name], document)
        documents[entry.name] = document
        progress.update(entry, document, seconds)

    try:
        run_pool(todo, work, workers=jobs, wall_s=wall_s, done=done)
    except KeyboardInterrupt:
        progress.close()
        have = sum(
            entry.name in documents or _previous(files[entry.name], prints[entry.name])[0] is not None
            for entry in entries
        )
        print(
            f"\nInterrupted: {have} of {len(entries)} entries have a result, {len(entries) - have} remain. "
            f"Run the same command again{' without --force' if force else ''} to grade the rest.",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    progress.close()
    return _finish(out, entries, documents, exercise)


def _finish(out: Path, entries: Sequence[Entry], documents: Dict[str, dict], exercise: str) -> int:
    """grades.csv, the report and the summary table, from every entry's result."""
    rows = [row_of(entry.name, entry.people, documents[entry.name]) for entry in entries if entry.name in documents]
    write_atomic(out / "grades.csv", grades_csv(rows))
    from grader.outputs.report import write_report  # matplotlib only now, never while grading
    from grader.rubric import mistake_titles

    write_report(out, rows, mistake_titles(exercise))
    print(summary_table(rows))
    retried = sum(
        status_of(document) == results.GRADER_ERROR and _attempts(document) < GRADER_ERROR_ATTEMPTS
        for document in documents.values()
    )
    if retried:
        print(
            f"\n{retried} grader error{'s' * (retried > 1)}: the same command again grades "
            f"{'them' if retried > 1 else 'it'} once more."
        )
    shown = text.printable(str(out))  # stdout would refuse a path that is not UTF-8
    print(f"\nWrote {shown}/results/ ({len(rows)} results), {shown}/grades.csv and {shown}/report.md")
    return 0 if len(rows) == len(entries) else 1


# --- whether an entry needs grading ------------------------------------------------------


def _salt(limits, files: Sequence[Path]) -> bytes:
    """What besides the entry decides its grade: grader version, the exercise's files, limits."""
    digest = hashlib.sha256(f"grader {grader.__version__}\0limits {limits!r}\0".encode())
    for path in files:
        digest.update(f"{path.parent.name}/{path.name}\0".encode() + path.read_bytes())
    return digest.digest()


def _previous(path: Path, wanted: str) -> Tuple[Optional[dict], int]:
    """The previous result if it can be kept, and how many grades in a row ended in a grader
    error. Kept: made from the same content and grader, and not a grader error that may
    still be retried (one may be the machine's doing; a second is kept, or every rerun would
    pay for it again)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        batch = document["extra_data"]["batch"]
    except (OSError, ValueError, KeyError, TypeError):
        return None, 0
    if not isinstance(batch, dict) or batch.get("fingerprint") != wanted:
        return None, 0
    if status_of(document) != results.GRADER_ERROR:
        return document, 0
    failures = _attempts(document)
    return (document if failures >= GRADER_ERROR_ATTEMPTS else None), failures


def _attempts(document: dict) -> int:
    """Which attempt at grading the same content a result was (1 if it does not say)."""
    value = ((document.get("extra_data") or {}).get("batch") or {}).get("attempts")
    return value if isinstance(value, int) and value > 0 else 1


def _plan(
    entries: Sequence[Entry], files: Dict[str, Path], prints: Dict[str, str], force: bool
) -> Tuple[Dict[str, dict], List[Entry], Dict[str, int]]:
    """The results kept, by entry name; the entries to grade; and which attempt each grade is."""
    documents: Dict[str, dict] = {}
    todo: List[Entry] = []
    attempts: Dict[str, int] = {}
    for entry in entries:
        previous, failures = (None, 0) if force else _previous(files[entry.name], prints[entry.name])
        if previous is None:
            todo.append(entry)
            attempts[entry.name] = failures + 1
        else:
            documents[entry.name] = previous
    return documents, todo, attempts


def _plan_text(todo: Sequence[Entry], jobs: int, documents: Dict[str, dict]) -> str:
    plan = f"grading {len(todo)} with {jobs} worker{'s' * (jobs > 1)}" if todo else "nothing to grade"
    if not documents:
        return plan
    errors = sum(status_of(document) == results.GRADER_ERROR for document in documents.values())
    twice = f", {errors} of them a grader error twice" if errors else ""
    return f"{plan}; {len(documents)} already graded (same content and grader version{twice}; --force regrades them)"


class _LoadStalled(BaseException):
    """Raised by the load budget's alarm inside grader.load.load: a BaseException, so that no
    `except Exception` (or LoadError) in the loader turns it into a partly loaded submission."""


def _load_budget(seconds: float, rubric, grade: Callable[[], dict]) -> dict:
    """grade(), but a submission still loading after `seconds` is not graded: a file that never
    ends (a named pipe, a stalled network file system) costs seconds, not the last-resort limit.
    The alarm checks that loading is what it interrupts; once loading is over it disarms."""
    from grader.submission.load import load

    started = time.monotonic()

    def alarm(signum, frame):
        while frame is not None:
            if frame.f_code is load.__code__:
                raise _LoadStalled
            frame = frame.f_back
        signal.setitimer(signal.ITIMER_REAL, 0)  # the sandbox's own timeouts take it from here

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds, 0.5)  # then every 0.5 s, should the loader catch it
    try:
        return grade()
    except _LoadStalled:
        reason = f"reading the submission did not finish within {seconds:g} s, so it was not run"
        return results.not_graded(rubric.weights, rubric.exercise.titles, reason, time.monotonic() - started)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _private_dir(path: Path) -> None:
    """As root, the sandboxed children run as another user: that user must not read the
    class's results, names and emails (DESIGN.md, trust boundary), even without Landlock."""
    existed = path.is_dir()
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0 and (not existed or path.name == "results"):
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


# --- progress, rows, CSV, summary -----------------------------------------------------------


class _Progress:
    """A tqdm bar on a terminal; one plain line per entry otherwise (logs, CI, `make`)."""

    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.count, self.stream, self.bar = total, 0, stream, None
        if total and stream.isatty() and _columns(stream) >= 40:  # a 0-column pty gets plain lines
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
            self.bar = tqdm(total=total, unit="entry", file=stream, dynamic_ncols=True)

    def update(self, entry: Entry, document: dict, seconds: float) -> None:
        self.count += 1
        status = status_of(document)
        text = f"{entry.label} {score_text(document)}" + ("" if status == results.GRADED else f" {status}")
        if self.bar is not None:
            self.bar.set_postfix_str(text[-40:], refresh=False)
            self.bar.update()
        else:
            print(f"[{self.count}/{self.total}] {text} ({seconds:.1f} s)", file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0
