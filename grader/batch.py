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
import stat
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, Iterator, List, Optional, Tuple

import grader
from grader import results
from grader.grades import grades_csv, row_of, score_text, status_of, summary_table
from grader.pool import run_pool

ENTRY_WALL_S = 15 * 60.0       # last resort: grade() enforces the real budgets itself
METADATA = "submission_metadata.yml"
IGNORED = {"__pycache__", "__MACOSX", "Thumbs.db", "desktop.ini"}  # and every name starting with "."
HASH_MAX_FILES, HASH_MAX_BYTES, HASH_MAX_DEPTH = 2000, 64 * 1024 * 1024, 8
EXIT_INTERRUPTED = 130


@dataclass(frozen=True)
class Entry:
    """One submission of the class."""

    name: str                           # file or folder name inside DIR
    path: Path
    people: Tuple[Dict[str, str], ...] = ()  # name, email, sid of each submitter (Gradescope)

    @property
    def result_file(self) -> str:
        if len(self.name.encode()) <= 200:
            return f"{self.name}.json"
        short = self.name.encode()[:120].decode(errors="ignore")  # file names are limited in bytes
        return f"{short}-{hashlib.sha256(self.name.encode()).hexdigest()[:12]}.json"


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
    prints = {entry.name: fingerprint(entry.path, salt) for entry in entries}
    documents: Dict[str, dict] = {}
    todo: List[Entry] = []
    for entry in entries:
        previous = None if force else _reusable(store / entry.result_file, prints[entry.name])
        if previous is None:
            todo.append(entry)
        else:
            documents[entry.name] = previous
    jobs = max(1, min(jobs, len(todo) or 1))
    plan = f"grading {len(todo)} with {jobs} worker{'s' * (jobs > 1)}" if todo else "nothing to grade"
    kept = f"; {len(documents)} already graded (same content and grader version; --force regrades them)"
    print(f"{origin}: {len(entries)} entries; {plan}{kept if documents else ''}", file=sys.stderr, flush=True)

    progress = _Progress(len(todo))
    options = {} if limits is None else {"limits": limits}

    def work(entry: Entry) -> dict:  # runs in a worker
        return grade_safely(entry.path, zygote, rubric, **options)

    def done(entry: Entry, document: dict, seconds: float) -> None:  # runs here, once per entry
        document.setdefault("extra_data", {})["batch"] = {
            "entry": entry.name, "fingerprint": prints[entry.name],
            "seconds": round(seconds, 3), "grader_version": grader.__version__}
        results.write(store / entry.result_file, document)
        documents[entry.name] = document
        progress.update(entry, document, seconds)

    try:
        run_pool(todo, work, workers=jobs, wall_s=wall_s, done=done)
    except KeyboardInterrupt:
        progress.close()
        have = sum(entry.name in documents or _reusable(store / entry.result_file, prints[entry.name]) is not None
                   for entry in entries)
        print(f"\nInterrupted: {have} of {len(entries)} entries have a result, {len(entries) - have} remain. "
              f"Run the same command again{' without --force' if force else ''} to grade the rest.", file=sys.stderr)
        return EXIT_INTERRUPTED
    progress.close()

    rows = [row_of(entry.name, entry.people, documents[entry.name]) for entry in entries if entry.name in documents]
    results.write_text(out / "grades.csv", grades_csv(rows))
    from grader.report import write_report  # matplotlib only now, never while grading

    write_report(out, rows)
    print(summary_table(rows))
    print(f"\nWrote {store}/ ({len(rows)} results), {out / 'grades.csv'} and {out / 'report.md'}")
    return 0 if len(rows) == len(entries) else 1


# --- which entries, and whether they changed ------------------------------------------------

def discover(directory: Path, exclude: Optional[Path] = None) -> Tuple[List[Entry], str]:
    """The entries of a directory, and a few words saying what kind of directory it was.
    A Gradescope export (submission_metadata.yml + submission_* folders) may be given
    as its own folder or as the folder it was unzipped into."""
    listing = _listing(directory, exclude)
    if not (directory / METADATA).is_file() and len(listing) == 1 and (listing[0] / METADATA).is_file():
        directory, listing = listing[0], _listing(listing[0], exclude)
    if not (directory / METADATA).is_file():
        return [Entry(path.name, path) for path in listing], str(directory)
    people = read_metadata(directory / METADATA)
    entries = [Entry(path.name, path, people.get(path.name, ()))
               for path in listing if path.is_dir() and path.name.startswith("submission_")]
    return entries, f"Gradescope export {directory}"


def _listing(directory: Path, exclude: Optional[Path]) -> List[Path]:
    skip = exclude.resolve() if exclude is not None else None
    return [path for path in sorted(directory.iterdir())
            if not path.name.startswith(".") and path.name not in IGNORED and path.resolve() != skip]


def read_metadata(path: Path) -> Dict[str, Tuple[Dict[str, str], ...]]:
    """Submitters per submission folder from Gradescope's submission_metadata.yml.

    The file is written by Ruby, so keys are symbols (``:submitters:``, ``:name:``)
    and some values carry Ruby tags; both plain and symbol keys are accepted, and
    tags are ignored. An unreadable file only costs the names."""
    import yaml

    class Loader(yaml.SafeLoader):  # safe: builds only plain dicts, lists and scalars
        pass

    def untagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        return loader.construct_scalar(node)

    Loader.add_multi_constructor("!", untagged)
    try:
        data = _plain(yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=Loader))
    except (yaml.YAMLError, OSError, RecursionError) as exc:
        print(f"warning: {path} could not be read ({type(exc).__name__}); grading without names", file=sys.stderr)
        return {}
    people = {}
    for folder, record in (data.items() if isinstance(data, dict) else ()):
        submitters = record.get("submitters") if isinstance(record, dict) else None
        people[str(folder)] = tuple(
            {key: "" if person.get(key) is None else str(person.get(key)) for key in ("name", "email", "sid")}
            for person in (submitters if isinstance(submitters, list) else ()) if isinstance(person, dict))
    return people


def _plain(value):
    """Ruby symbol keys (":name") as plain keys ("name"), recursively."""
    if isinstance(value, dict):
        return {(key.lstrip(":") if isinstance(key, str) else key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def fingerprint(path: Path, salt: bytes) -> str:
    """Hash of an entry's contents (recursively, bounded) and the salt."""
    digest = hashlib.sha256(salt)
    _hash_into(digest, path, path.name, [HASH_MAX_FILES, HASH_MAX_BYTES], HASH_MAX_DEPTH, top=True)
    return digest.hexdigest()


def _hash_into(digest, path: Path, label: str, budget: List[int], depth: int, top: bool = False) -> None:
    try:
        info = path.stat() if top else path.lstat()  # an entry may be a link; links inside are not followed
    except OSError:
        digest.update(f"{label}\0missing\0".encode())
        return
    if stat.S_ISDIR(info.st_mode) and depth > 0:
        digest.update(f"{label}/\0".encode())
        try:
            names = sorted(os.listdir(path))
        except OSError:
            names = []
        for name in names:
            _hash_into(digest, path / name, f"{label}/{name}", budget, depth - 1)
    elif stat.S_ISREG(info.st_mode):
        digest.update(f"{label}\0{info.st_size}\0".encode())
        budget[0] -= 1
        if budget[0] < 0 or budget[1] <= 0:  # past the bound, a file counts by name and size only
            return
        try:
            with open(path, "rb") as stream:
                while budget[1] > 0:
                    chunk = stream.read(min(1 << 20, budget[1]))
                    if not chunk:
                        break
                    budget[1] -= len(chunk)
                    digest.update(chunk)
        except OSError:
            digest.update(b"\0unreadable\0")
    else:
        target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
        digest.update(f"{label}\0{stat.S_IFMT(info.st_mode)}\0{target}\0".encode())


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
        text = f"{results.printable(entry.name)} {score_text(document)}" + ("" if status == "graded" else f" {status}")
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
