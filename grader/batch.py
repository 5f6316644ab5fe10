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
way. Workers die with the batch (PR_SET_PDEATHSIG): a killed batch leaves
nothing running and loses only the entries in flight.

Resuming: every result carries a fingerprint of the entry's contents, the grader
version, the rubric and reference files and the limits. A rerun skips entries
whose result has the same fingerprint (unless ``force``) and regrades those
that ended in a grader error.
"""
from __future__ import annotations

import contextlib
import hashlib
import json
import os
import signal
import sys
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Sequence, Tuple

import grader
from grader import results
from grader.entries import Entry, discover, fingerprint, result_files
from grader.grades import grades_csv, row_of, score_text, status_of, summary_table
from grader.pool import run_pool

ENTRY_WALL_S = 15 * 60.0       # last resort: grade() enforces the real budgets itself
EXIT_INTERRUPTED = 130


def run_batch(directory: Path, out: Path, jobs: Optional[int] = None, force: bool = False, *,
              limits=None, entry_wall_s: float = ENTRY_WALL_S) -> int:
    """Grade every entry of `directory` into `out`; 0 when every entry has a results file.
    `limits` (sandbox.Limits) and `entry_wall_s` are for the Python API; the CLI keeps the defaults."""
    from grader.sandbox import Zygote

    zygote = Zygote.start()  # before grader.rubric imports the reference: see sandbox.py
    try:
        with _terminate_as_interrupt():
            return _run(Path(directory), Path(out), jobs or _cores(), force, zygote, limits, entry_wall_s)
    except KeyboardInterrupt:  # outside grading proper: loading, fingerprinting, the report
        print("\nInterrupted; the results written so far are kept. Run the same command again to finish.",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    finally:
        zygote.close()


def _run(directory: Path, out: Path, jobs: int, force: bool, zygote, limits, wall_s: float) -> int:
    from grader import diagnose, rubric as rubric_module
    from grader.grade import grade_safely

    rubric = rubric_module.load()
    diagnose.default_suspects()  # built once here and shared by every forked worker
    entries, origin = discover(directory, exclude=out)
    store = out / "results"
    _private_dir(out)
    _private_dir(store)
    for stale in store.glob(".*.tmp"):  # left by a batch killed while writing
        stale.unlink()
    salt = _salt(limits)
    prints = {entry.name: fingerprint(entry.path, salt, follow=not entry.refused) for entry in entries}
    files = {name: store / file for name, file in result_files(entries).items()}
    documents, todo = _plan(entries, files, prints, force)
    jobs = max(1, min(jobs, len(todo) or 1))
    print(f"{origin}: {len(entries)} entries; {_plan_text(todo, jobs, documents)}", file=sys.stderr, flush=True)

    progress = _Progress(len(todo))
    options = {} if limits is None else {"limits": limits}

    def work(entry: Entry) -> dict:  # runs in a worker
        if entry.refused:
            return results.not_graded(rubric.weights, entry.refused)
        return grade_safely(entry.path, zygote, rubric, **options)

    def done(entry: Entry, document: dict, seconds: float) -> None:  # runs here, once per entry
        document.setdefault("extra_data", {})["batch"] = {
            "entry": entry.label, "fingerprint": prints[entry.name],
            "seconds": round(seconds, 3), "grader_version": grader.__version__}
        results.write(files[entry.name], document)
        documents[entry.name] = document
        progress.update(entry, document, seconds)

    try:
        run_pool(todo, work, workers=jobs, wall_s=wall_s, done=done)
    except KeyboardInterrupt:
        progress.close()
        have = sum(entry.name in documents or _reusable(files[entry.name], prints[entry.name]) is not None
                   for entry in entries)
        print(f"\nInterrupted: {have} of {len(entries)} entries have a result, {len(entries) - have} remain. "
              f"Run the same command again{' without --force' if force else ''} to grade the rest.", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()
    return _finish(out, entries, documents)


def _finish(out: Path, entries: Sequence[Entry], documents: Dict[str, dict]) -> int:
    """grades.csv, the report and the summary table, from every entry's result."""
    rows = [row_of(entry.name, entry.people, documents[entry.name]) for entry in entries if entry.name in documents]
    results.write_text(out / "grades.csv", grades_csv(rows))
    from grader.report import write_report  # matplotlib only now, never while grading

    write_report(out, rows)
    print(summary_table(rows))
    shown = results.printable(str(out))  # stdout would refuse a path that is not UTF-8
    print(f"\nWrote {shown}/results/ ({len(rows)} results), {shown}/grades.csv and {shown}/report.md")
    return 0 if len(rows) == len(entries) else 1


# --- whether an entry needs grading ------------------------------------------------------

def _salt(limits) -> bytes:
    """What besides the entry decides its grade: grader version, rubric and reference files, limits."""
    from grader.rubric import PUBLIC_CASES, RUBRIC

    digest = hashlib.sha256(f"grader {grader.__version__}\0limits {limits!r}\0".encode())
    reference = RUBRIC.parent
    for path in sorted({PUBLIC_CASES, RUBRIC, *reference.glob("*.json"), *reference.glob("*.py")}):
        digest.update(f"{path.name}\0".encode() + path.read_bytes())
    return digest.digest()


def _reusable(path: Path, wanted: str) -> Optional[dict]:
    """The previous result, if it was made from the same content and grader and is not a grader error."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        batch = document["extra_data"]["batch"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not isinstance(batch, dict) or batch.get("fingerprint") != wanted or status_of(document) == "grader error":
        return None
    return document


def _plan(entries: Sequence[Entry], files: Dict[str, Path], prints: Dict[str, str],
          force: bool) -> Tuple[Dict[str, dict], List[Entry]]:
    """The results kept, by entry name, and the entries to grade."""
    documents: Dict[str, dict] = {}
    todo: List[Entry] = []
    for entry in entries:
        previous = None if force else _reusable(files[entry.name], prints[entry.name])
        if previous is None:
            todo.append(entry)
        else:
            documents[entry.name] = previous
    return documents, todo


def _plan_text(todo: Sequence[Entry], jobs: int, documents: Dict[str, dict]) -> str:
    plan = f"grading {len(todo)} with {jobs} worker{'s' * (jobs > 1)}" if todo else "nothing to grade"
    if not documents:
        return plan
    return f"{plan}; {len(documents)} already graded (same content and grader version; --force regrades them)"


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
        text = f"{entry.label} {score_text(document)}" + ("" if status == "graded" else f" {status}")
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
