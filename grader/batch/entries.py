"""The entries of a class folder (or a Gradescope export): which there are, what each one's
result file is called, and a fingerprint that says whether an entry changed.

Names are the file system's: on Linux any bytes but "/" and NUL, which Python holds
as str with the undecodable bytes as lone surrogates (a Latin-1 name from a Windows
zip). Such a name is used as is to open the entry and is shown only as its `label`,
escaped. Nothing here reads a file outside the class folder: an entry that is a
symbolic link leading out of it is kept, with the reason it will not be graded, and
its target is never opened.
"""

from __future__ import annotations

import hashlib
import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from grader.batch.metadata import Submission, read_metadata
from grader.errors import GraderError
from grader.text import code, printable

METADATA = "submission_metadata.yml"
IGNORED = {"__pycache__", "__MACOSX", "Thumbs.db", "desktop.ini"}  # and every name starting with "."
HASH_MAX_FILES, HASH_MAX_BYTES, HASH_MAX_DEPTH = 2000, 64 * 1024 * 1024, 8
PLAIN_NAME_BYTES = 200  # longer names get a shortened, hashed result file (NAME_MAX is 255)
_HASHED = re.compile(r"-[0-9a-f]{16}$", re.IGNORECASE)  # the tail of a hashed result file's name


@dataclass(frozen=True)
class Entry:
    """One submission of the class."""

    name: str  # file or folder name inside DIR, as the file system has it
    path: Path
    people: Tuple[Dict[str, str], ...] = ()  # name, email, sid, due of each submitter (Gradescope)
    refused: str = ""  # why it is not graded without being opened, if it is not
    submitted: str = ""  # when it was uploaded, ISO 8601 (Gradescope)
    recorded: Optional[float] = None  # the score Gradescope recorded for it (the export's metadata)

    @property
    def label(self) -> str:
        """The name as shown: undecodable bytes and control characters written out as \\xNN."""
        return printable(self.name, lines=False)

    @property
    def shown(self) -> str:
        """The label and who submitted it: "submission_2417731 (Ada Lovelace, 01815)"."""
        who = "; ".join(
            ", ".join(part for part in (person.get("name", ""), person.get("sid", "")) if part)
            for person in self.people
        )
        return f"{self.label} ({printable(who, lines=False)})" if who.strip("; ") else self.label


# --- which entries ----------------------------------------------------------------------------


def discover(directory: Path, exclude: Optional[Path] = None) -> Tuple[List[Entry], str]:
    """The entries of a directory, and a few words saying what kind of directory it was.
    A Gradescope export (submission_metadata.yml + submission_* folders) may be given
    as its own folder or as a folder that holds it (the one it was unzipped into, beside
    the zip, say): an export is never graded as one student. GraderError when a folder
    holds more than one export, since which one is meant cannot be known."""
    listing, found_in = _listing(directory, exclude), ""
    if not (directory / METADATA).is_file():
        exports = [path for path in listing if not path.is_symlink() and (path / METADATA).is_file()]
        if len(exports) > 1:
            names = ", ".join(path.name for path in exports)
            raise GraderError(f"{directory} holds {len(exports)} Gradescope exports ({names}): give the one to grade")
        if exports:
            others = [path.name for path in listing if path != exports[0]]
            more = " …" if len(others) > 5 else ""
            beside = f"; left out beside it: {', '.join(others[:5])}{more}" if others else ""
            found_in = f" (found in {directory}{beside})"
            directory, listing = exports[0], _listing(exports[0], exclude)
    root = os.path.realpath(directory)
    if not (directory / METADATA).is_file():
        return [_entry(path, root) for path in listing], str(directory)
    known = read_metadata(directory / METADATA)
    entries = [
        _entry(path, root, known.get(path.name, Submission()))
        for path in listing
        if path.is_dir() and path.name.startswith("submission_")
    ]
    folders = {entry.name for entry in entries}
    entries += [  # listed students with no folder: a row each, never silently absent from the grades
        Entry(
            name,
            directory / name,
            record.people,
            f"{code(METADATA)} lists {code(name)}, but the export has no such folder",
            record.created_at,
            record.score,
        )
        for name, record in sorted(known.items())
        if name not in folders and name.startswith("submission_")
    ]
    return sorted(entries, key=lambda entry: entry.name), f"Gradescope export {directory}{found_in}"


def _listing(directory: Path, exclude: Optional[Path]) -> List[Path]:
    # realpath, not resolve(): a link that loops must become an entry, not stop the batch
    skip = os.path.realpath(exclude) if exclude is not None else None
    return [
        path
        for path in sorted(directory.iterdir())
        if not path.name.startswith(".") and path.name not in IGNORED and os.path.realpath(path) != skip
    ]


def _entry(path: Path, root: str, known: Submission = Submission()) -> Entry:
    refused = _refusal(path, root) if path.is_symlink() else ""
    return Entry(path.name, path, known.people, refused, known.created_at, known.score)


def _refusal(link: Path, root: str) -> str:
    """Why a top-level link is not graded ("" if it may be): the batch may run as root, and
    a link out of the class folder could make it read, and quote, any file of the machine."""
    shown = f"{code(link.name)} is a symbolic link"
    try:
        target = str(link.resolve(strict=True))
    except (OSError, RuntimeError):  # RuntimeError: it loops
        return f"{shown} that leads to no file or folder (it is broken or loops)"
    if target == root:  # a folder entry holding every other one
        return f"{shown} to the class folder itself"
    if os.path.commonpath([root, target]) != root:
        return f"{shown} to {code(os.readlink(link))}, outside the class folder: links are not followed out of it"
    return ""


# --- what each result file is called ------------------------------------------------------------


def result_files(entries: Sequence[Entry]) -> Dict[str, str]:
    """A distinct result file name per entry name: `<name>.json` for a plain name; for any
    other a shortened, escaped name plus a hash of the name's bytes. Plain means short,
    printable (no tab, no undecodable byte), not ending like a hashed name, and distinct from
    every other name even where the results folder ignores case and Unicode normalisation
    (macOS, Windows)."""
    folded: Dict[str, int] = {}
    for entry in entries:
        key = _folded(entry.name)
        folded[key] = folded.get(key, 0) + 1
    return {
        entry.name: f"{entry.name}.json"
        if folded[_folded(entry.name)] == 1 and _plain_name(entry.name)
        else _hashed(entry.name)
        for entry in entries
    }


def _folded(name: str) -> str:
    return unicodedata.normalize("NFC", name).casefold()


def _plain_name(name: str) -> bool:
    return len(os.fsencode(name)) <= PLAIN_NAME_BYTES and name.isprintable() and not _HASHED.search(name)


def _hashed(name: str) -> str:
    short = re.sub(r"[^A-Za-z0-9._-]", "_", printable(name))[:80]
    return f"{short}-{hashlib.sha256(os.fsencode(name)).hexdigest()[:16]}.json"


# --- whether an entry changed ---------------------------------------------------------------------


def fingerprint(path: Path, salt: bytes, follow: bool = True) -> str:
    """Hash of an entry's contents (recursively, bounded) and the salt. With follow=False an
    entry that is a link counts by its target's name only, and the target is never opened."""
    digest = hashlib.sha256(salt)
    _hash_into(digest, path, os.fsencode(path.name), [HASH_MAX_FILES, HASH_MAX_BYTES], HASH_MAX_DEPTH, top=follow)
    return digest.hexdigest()


def _hash_into(digest, path: Path, label: bytes, budget: List[int], depth: int, top: bool = False) -> None:
    try:
        info = path.stat() if top else path.lstat()  # an entry may be a link; links inside are not followed
    except OSError:
        digest.update(label + b"\0missing\0")
        return
    if stat.S_ISDIR(info.st_mode) and depth > 0:
        digest.update(label + b"/\0")
        try:
            names = sorted(os.listdir(path))
        except OSError:
            names = []
        for name in names:
            _hash_into(digest, path / name, label + b"/" + os.fsencode(name), budget, depth - 1)
    elif stat.S_ISREG(info.st_mode):
        digest.update(label + f"\0{info.st_size}\0".encode())
        budget[0] -= 1
        if budget[0] < 0 or budget[1] <= 0:  # past the bound, a file counts by name and size only
            return
        _hash_file(digest, path, budget)
    else:
        target = os.readlink(path) if stat.S_ISLNK(info.st_mode) else ""
        digest.update(label + f"\0{stat.S_IFMT(info.st_mode)}\0".encode() + os.fsencode(target) + b"\0")


def _hash_file(digest, path: Path, budget: List[int]) -> None:
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
