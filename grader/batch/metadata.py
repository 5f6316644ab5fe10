"""Gradescope's submission_metadata.yml: who submitted each folder, when, and by when it was due.

The file is written by Ruby, so keys are symbols (``:submitters:``, ``:name:``), some
values carry Ruby tags (``!ruby/object:BigDecimal``) and a name that Ruby holds as
bytes is written ``!binary`` (base64 of its UTF-8). Every scalar is read as the text it
is (no YAML type guessing), so an SID ``01234`` stays ``01234`` and is not read as the
octal number 668. Times are given back as ISO 8601 text.
"""

from __future__ import annotations

import base64
import binascii
import re
import sys
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Dict, Optional, Tuple

PERSON = ("name", "email", "sid")
_TIME = re.compile(
    r"(\d{4})-(\d\d)-(\d\d)(?:[ T](\d\d):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?)?\s*(Z|UTC|[+-]\d\d(?::?\d\d)?)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Submission:
    """What the export says about one submission folder. Each person has name, email, sid
    and due (their own due date if the export gives one, else the submission's, else "")."""

    people: Tuple[Dict[str, str], ...] = ()
    created_at: str = ""  # when it was uploaded, ISO 8601 ("" if the export does not say)
    score: Optional[float] = None  # the score Gradescope recorded for it, if the export gives one


def read_metadata(path: Path) -> Dict[str, Submission]:
    """Each submission folder's submitters and upload time. Both Ruby symbol keys and plain
    keys are accepted; an unreadable file only costs the names."""
    import yaml

    class Loader(yaml.SafeLoader):  # safe: builds only plain dicts, lists and strings
        yaml_implicit_resolvers: dict = {}  # every plain scalar is text: IDs keep their leading zeros

    def tagged(loader, suffix, node):
        if isinstance(node, yaml.MappingNode):
            return loader.construct_mapping(node, deep=True)
        if isinstance(node, yaml.SequenceNode):
            return loader.construct_sequence(node, deep=True)
        text = loader.construct_scalar(node)
        return _unbinary(text) if suffix == "binary" else text

    Loader.add_multi_constructor("!", tagged)  # !binary, !ruby/...
    Loader.add_constructor("tag:yaml.org,2002:binary", lambda loader, node: _unbinary(loader.construct_scalar(node)))
    try:
        data = _plain(yaml.load(path.read_text(encoding="utf-8", errors="replace"), Loader=Loader))
    except (yaml.YAMLError, OSError, RecursionError) as exc:
        print(f"warning: {path} could not be read ({type(exc).__name__}); grading without names", file=sys.stderr)
        return {}
    found = {}
    for folder, record in data.items() if isinstance(data, dict) else ():
        if isinstance(record, dict):
            found[str(folder)] = _submission(record)
    return found


def _submission(record: dict) -> Submission:
    submitters = record.get("submitters")
    due = _due(record)
    people = tuple(
        {**{key: _text(person.get(key)) for key in PERSON}, "due": _due(person) or due}
        for person in (submitters if isinstance(submitters, list) else ())
        if isinstance(person, dict)
    )
    return Submission(people, iso_time(record.get("created_at")), number(record.get("score")))


def _due(record: dict) -> str:
    """A due date given beside the submission or its submitter, or in its "assignment"."""
    assignment = record.get("assignment")
    for value in (record.get("due_date"), assignment.get("due_date") if isinstance(assignment, dict) else None):
        if iso_time(value):
            return iso_time(value)
    return ""


def number(value: object) -> Optional[float]:
    """A score as the export writes it: 85.0, or Ruby's BigDecimal "18:0.85e2"; None for anything else."""
    text = _text(value).strip()
    text = text.split(":", 1)[1] if re.fullmatch(r"\d+:\S+", text) else text
    try:
        found = float(text)
    except ValueError:
        return None
    return found if found == found and abs(found) != float("inf") else None


def _text(value: object) -> str:
    return "" if value is None or isinstance(value, (dict, list)) else str(value)


def _unbinary(text: str) -> str:
    """A !binary scalar: base64 of (we take it) UTF-8; undecodable bytes become U+FFFD."""
    try:
        return base64.b64decode("".join(text.split()), validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return text


def _plain(value):
    """Ruby symbol keys (":name") as plain keys ("name"), recursively."""
    if isinstance(value, dict):
        return {(key.lstrip(":") if isinstance(key, str) else key): _plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_plain(item) for item in value]
    return value


def iso_time(value: object) -> str:
    """A time as Ruby or JSON writes it ("2025-02-03 21:14:09.512301000 -08:00",
    "2025-02-03T21:14:09-08:00") as ISO 8601 to the second; "" for anything else."""
    parsed = parse_time(value)
    return parsed.isoformat(timespec="seconds") if parsed is not None else ""


def parse_time(value: object) -> Optional[datetime]:
    match = _TIME.fullmatch(value.strip()) if isinstance(value, str) else None
    if match is None:
        return None
    year, month, day, hour, minute, second, zone = match.groups()
    offset = None
    if zone and zone.upper() in ("Z", "UTC"):
        offset = timezone.utc
    elif zone:
        digits = zone[1:].replace(":", "")
        minutes = int(digits[:2]) * 60 + int(digits[2:4] or 0)
        offset = timezone(timedelta(minutes=minutes if zone[0] == "+" else -minutes))
    try:
        return datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0), tzinfo=offset
        )
    except ValueError:  # 2025-02-30, an offset of 24 h or more
        return None
