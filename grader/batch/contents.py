"""What an entry holds, for the report's "needs a human" list: the code it was graded on, as a
hash that ignores comments and blank space (identical submissions share it), and the files an
upload that could not be graded holds.

Both run in a grading worker, which has its memory cap and the batch's wall limit: the code is
read again by the loader's bounded reader (submission/load.py), and the listing stops after
FILES_LISTED names.
"""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import tokenize
from pathlib import Path
from typing import List

from grader.errors import LoadError
from grader.submission.load import load_submission

FILES_LISTED = 20
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER}


def code_print(path: Path, function: str, stub: str = "") -> str:
    """A hash of the code a submission is graded on (its graded file and helper modules), the
    same whatever its comments, blank lines and spacing; "" when it cannot be loaded."""
    try:
        files = load_submission(path, function, stub).files
    except LoadError:
        return ""
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode() + b"\0" + _tokens(files[name]).encode() + b"\0")
    return digest.hexdigest()[:16]


def _tokens(source: str) -> str:
    """The code's tokens, one space apart, indentation kept as tokens; the text without blank
    space if it does not tokenize."""
    try:
        kept = [
            token.string if token.type not in (tokenize.INDENT, tokenize.DEDENT) else ("\t" if token.string else "\b")
            for token in tokenize.generate_tokens(io.StringIO(source).readline)
            if token.type not in _SKIPPED
        ]
    except (tokenize.TokenError, SyntaxError):
        return "".join(source.split())
    return " ".join(kept)


def files_found(path: Path) -> List[str]:
    """Up to FILES_LISTED file names in an upload (relative to it, breadth first), links not
    followed; an upload that is one file is its own name."""
    if not path.is_dir() or path.is_symlink():
        return [path.name] if os.path.lexists(path) else []
    found: List[str] = []
    folders = [path]
    while folders and len(found) < FILES_LISTED:
        folder = folders.pop(0)
        try:
            items = sorted(itertools.islice(os.scandir(folder), FILES_LISTED * 5), key=lambda item: item.name)
        except OSError:
            continue
        for item in items:
            if item.is_dir(follow_symlinks=False):
                folders.append(Path(item.path))
            elif len(found) < FILES_LISTED:
                found.append(os.path.relpath(item.path, path))
    return found
