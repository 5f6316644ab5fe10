"""The .py and .ipynb files of a folder upload, found within a bounded listing: `walk`.

An upload may hold a dataset, a virtualenv or a `runs/` folder of tens of
thousands of files beside the code. The walk is breadth first, but a folder
listed in chunks of HEAVY_ENTRIES: one that holds more is finished, and the
folders inside it listed, only after every lighter folder at any depth, so the
code beside a large folder is found first; and it stops after MAX_LOOKED_AT
entries in all, saying where it stopped. Nothing is sorted but the few files
and folders it keeps.
"""

from __future__ import annotations

import heapq
import itertools
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, Iterator, List, NamedTuple, Optional, Tuple

SKIPPED_DIRS = {"__pycache__", "__MACOSX", ".ipynb_checkpoints", ".git", "node_modules", ".venv", "venv"}
MAX_DEPTH = 8  # folders below a folder submission searched for the file to grade
MAX_LOOKED_AT = 100_000  # entries listed in all (about 0.1 s)
HEAVY_ENTRIES = 1_000  # a folder holding more is a dataset, a virtualenv or logs: it waits


class Listing(NamedTuple):
    found: List[Path]  # regular .py and .ipynb files at most MAX_DEPTH folders down
    deeper: List[Path]  # any found deeper while nothing was found above
    special: List[Path]  # .py and .ipynb names that are not regular files (named pipes...)
    cut: Optional[Tuple[Path, int]]  # when the listing stopped early: its largest folder, entries seen in it


@dataclass(order=True)
class _Folder:
    key: Tuple[bool, int, int, str]  # (beyond MAX_DEPTH, large folders it is or is in, depth, path)
    path: Path = field(compare=False)
    depth: int = field(compare=False)
    around: int = field(compare=False)  # large folders it is in
    entries: Optional[Iterator[os.DirEntry]] = field(compare=False, default=None)  # a large one's, resumed


def walk(folder: Path) -> Listing:
    """The upload's Python files and notebooks, shallowest and lightest folders first (module docstring)."""
    found: List[Path] = []
    deeper: List[Path] = []
    special: List[Path] = []
    seen: Dict[Path, int] = {}  # entries listed per folder
    looked_at = 0
    queue = [_folder(folder, 0, 0)]
    try:
        while queue and not deeper and looked_at < MAX_LOOKED_AT:
            if found and queue[0].depth > MAX_DEPTH:
                break
            current = heapq.heappop(queue)
            batch = _next_entries(current, MAX_LOOKED_AT - looked_at)
            looked_at += len(batch)
            seen[current.path] = seen.get(current.path, 0) + len(batch)
            around = current.around + (seen[current.path] >= HEAVY_ENTRIES)  # for the folders inside it
            if current.entries is not None:  # more to list, after lighter folders
                heapq.heappush(queue, _folder(current.path, current.depth, current.around, current.entries))
            for entry in batch:
                path = Path(entry.path)
                if entry.name.startswith(".") or entry.name in SKIPPED_DIRS or entry.is_symlink():
                    continue
                if entry.is_dir(follow_symlinks=False):
                    heapq.heappush(queue, _folder(path, current.depth + 1, around))
                elif path.suffix in (".py", ".ipynb") and not entry.is_file(follow_symlinks=False):
                    special.append(path)
                elif path.suffix in (".py", ".ipynb"):
                    (found if current.depth <= MAX_DEPTH else deeper).append(path)
        cut = max(seen.items(), key=lambda item: item[1]) if queue and looked_at >= MAX_LOOKED_AT else None
    finally:
        for left in queue:
            if left.entries is not None:
                left.entries.close()  # type: ignore[attr-defined]
    return Listing(sorted(found), sorted(deeper), sorted(special), cut)


def _folder(path: Path, depth: int, around: int, entries: Optional[Iterator[os.DirEntry]] = None) -> _Folder:
    large = entries is not None  # listed in part already: it holds HEAVY_ENTRIES or more
    return _Folder((depth > MAX_DEPTH, around + large, depth, str(path)), path, depth, around, entries)


def _next_entries(folder: _Folder, budget: int) -> List[os.DirEntry]:
    """The folder's next entries, at most HEAVY_ENTRIES and budget; its listing is left open in
    folder.entries while there may be more."""
    if folder.entries is None:
        try:
            folder.entries = os.scandir(folder.path)
        except OSError:
            return []
    wanted = min(HEAVY_ENTRIES, budget)
    try:
        batch = list(itertools.islice(folder.entries, wanted))
    except OSError:
        batch = []
    if len(batch) < wanted:  # all listed
        folder.entries.close()  # type: ignore[attr-defined]
        folder.entries = None
    return batch
