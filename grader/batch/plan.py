"""Which entries a batch grades: the resumable plan, and `--only` for regrading a few.

Every result carries a fingerprint of the entry's contents, the grader version, the
rubric and reference files and the limits. A rerun keeps the results whose fingerprint
matches (unless forced); one that ended in a grader error is graded once more, and a
second grader error is kept. With `--only`, the entries named are regraded whatever
their results say, and every other entry keeps the result it has, current or not.
"""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Collection, Dict, List, Optional, Sequence, Tuple, cast

import grader
from grader.batch.entries import Entry
from grader.outputs import results
from grader.outputs.students import student_key
from grader.outputs.table import status_of

GRADER_ERROR_ATTEMPTS = 2  # a grader error is graded once more; a second one may be the entry's doing


@dataclass
class Plan:
    documents: Dict[str, results.Results] = field(default_factory=dict)  # the results kept, by entry name
    todo: List[Entry] = field(default_factory=list)  # the entries to grade
    attempts: Dict[str, int] = field(default_factory=dict)  # which attempt each grade is
    outdated: int = 0  # with --only: results kept although made from other content or grader
    missing: int = 0  # with --only: entries left without any result


def previous(path: Path, wanted: str) -> Tuple[Optional[results.Results], int]:
    """The previous result if it can be kept, and how many grades in a row ended in a grader
    error. Kept: made from the same content and grader, and not a grader error that may
    still be retried (one may be the machine's doing; a second is kept, or every rerun would
    pay for it again)."""
    document = _read(path)
    batch = document["extra_data"]["batch"] if document is not None else None
    if document is None or not isinstance(batch, dict) or batch.get("fingerprint") != wanted:
        return None, 0
    if status_of(document) != results.GRADER_ERROR:
        return document, 0
    failures = attempts_of(document)
    return (document if failures >= GRADER_ERROR_ATTEMPTS else None), failures


def _read(path: Path) -> Optional[results.Results]:
    """A result file as written by the batch, or None."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        document["extra_data"]["batch"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return cast(results.Results, document) if isinstance(document, dict) else None  # as run.py wrote it


def attempts_of(document: results.Results) -> int:
    """Which attempt at grading the same content a result was (1 if it does not say)."""
    value = ((document.get("extra_data") or {}).get("batch") or {}).get("attempts")
    return value if isinstance(value, int) and value > 0 else 1


def plan(
    entries: Sequence[Entry],
    files: Dict[str, Path],
    prints: Dict[str, str],
    force: bool,
    only: Optional[Collection[str]] = None,
) -> Plan:
    """What to grade and what to keep. only: entry names to regrade, every other one kept."""
    made = Plan()
    for entry in entries:
        if only is not None and entry.name not in only:
            kept = _read(files[entry.name])
            if kept is None:
                made.missing += 1
                continue
            made.documents[entry.name] = kept
            made.outdated += previous(files[entry.name], prints[entry.name])[0] is None
            continue
        kept, failures = (None, 0) if force or only is not None else previous(files[entry.name], prints[entry.name])
        if kept is None:
            made.todo.append(entry)
            made.attempts[entry.name] = failures + 1
        else:
            made.documents[entry.name] = kept
    return made


def plan_text(made: Plan, jobs: int, only: bool) -> str:
    """The line the batch starts with, after the number of entries."""
    todo, documents = made.todo, made.documents
    plan = f"grading {len(todo)} with {jobs} worker{'s' * (jobs > 1)}" if todo else "nothing to grade"
    if only:
        kept = f"{len(documents)} other{'s' * (len(documents) != 1)} keep their results"
        outdated = f", {made.outdated} of them made from other content or grader" if made.outdated else ""
        missing = f"; {made.missing} have no result yet" if made.missing else ""
        again = "; the same command without --only grades them" if made.outdated or made.missing else ""
        return f"regrading only {', '.join(entry.shown for entry in todo)}: {plan}; {kept}{outdated}{missing}{again}"
    if not documents:
        return plan
    errors = sum(status_of(document) == results.GRADER_ERROR for document in documents.values())
    twice = f", {errors} of them a grader error twice" if errors else ""
    return f"{plan}; {len(documents)} already graded (same content and grader version{twice}; --force regrades them)"


def choose(entries: Sequence[Entry], names: Sequence[str]) -> Tuple[List[str], List[str]]:
    """The entry names meant by `names` (an entry's name, its label, a path ending in it, or a
    submitter's name, SID or email, in any case), and the lines saying which names match no
    entry, or more than one."""
    by_name = {entry.name: entry.name for entry in entries}
    by_name.update({entry.label: entry.name for entry in entries if entry.label not in by_name})
    people = people_index(entries)
    shown = {entry.name: entry.shown for entry in entries}
    chosen: List[str] = []
    unknown: List[str] = []
    for name in names:
        found = by_name.get(name) or by_name.get(Path(name).name)
        matches = [found] if found else people.get(student_key(name), [])
        if len(matches) > 1:
            unknown.append(f"{name!r} names {len(matches)} entries: {', '.join(shown[m] for m in matches)}")
        elif not matches:
            close = difflib.get_close_matches(Path(name).name, list(by_name), n=3)
            unknown.append(f"no entry is called {name!r}" + (f" (did you mean {', '.join(close)}?)" if close else ""))
        elif matches[0] not in chosen:
            chosen.append(matches[0])
    return chosen, unknown


def people_index(entries: Sequence[Entry]) -> Dict[str, List[str]]:
    """Entry names by each submitter's name, SID and email, compared as student_key does."""
    index: Dict[str, List[str]] = {}
    for entry in entries:
        for person in entry.people:
            for key in {student_key(person.get(part, "")) for part in ("name", "sid", "email")} - {""}:
                index.setdefault(key, [])
                if entry.name not in index[key]:
                    index[key].append(entry.name)
    return index


def salt(limits, files: Sequence[Path]) -> bytes:
    """What besides the entry decides its grade: grader version, the exercise's files, limits."""
    digest = hashlib.sha256(f"grader {grader.__version__}\0limits {limits!r}\0".encode())
    _feed(digest, files)
    return digest.digest()


def rubric_hash(files: Sequence[Path]) -> str:
    """A short hash of the exercise's rubric, cases and reference: which grading a report shows."""
    digest = hashlib.sha256()
    _feed(digest, files)
    return digest.hexdigest()[:12]


def _feed(digest, files: Sequence[Path]) -> None:
    """Each file's name and bytes; rubric.json without its "late_policy", which changes no
    score (a late penalty is a column of its own), so that setting one regrades no one."""
    for path in files:
        data = path.read_bytes()
        if path.name == "rubric.json":
            config = json.loads(data)
            if isinstance(config, dict) and "late_policy" in config:
                data = json.dumps({key: value for key, value in config.items() if key != "late_policy"}).encode()
        digest.update(f"{path.parent.name}/{path.name}\0".encode() + data)
