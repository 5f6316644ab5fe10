"""Gradescope's results.json, built in one place from plain data, and its terminal rendering.

Same schema as gradescope-utils' JSONTestRunner (score, max_score, status,
visibility, output per test); we do not run through that runner because it
grades unittest tests executing in its own process, while our checks run on
answers that came back from a sandbox.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Dict, List, Optional, Sequence

from grader.checks.verdicts import TITLES, CheckResult

TEST_OUTPUT_BYTES = 4096   # per test, what a student sees
TOP_OUTPUT_BYTES = 16384
# Control characters but newline and tab: a submission's output or error text must not be
# able to move a TA's cursor, recolour or clear their terminal. ANSI escapes start with ESC
# (C0) or, in C1, with CSI U+009B alone, which terminals honour too.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0, 9), *range(11, 32), *range(127, 160)]}
# A lone surrogate cannot be written as UTF-8 at all: U+DC80-U+DCFF is an undecodable byte of a
# file name (Python's surrogateescape), written out as that byte; any other, as its code point.
_CONTROL.update({c: f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}" for c in range(0xD800, 0xE000)})


def printable(text: str) -> str:
    """Text with control characters (C0, DEL, C1) and lone surrogates written out as \\xNN or
    \\uNNNN, so it prints as what it is and can always be written as UTF-8."""
    return text.translate(_CONTROL)


def cap_text(text: str, limit: int) -> str:
    """Keep the first and last lines of text longer than limit bytes, saying how much was cut;
    control characters are written out (see printable)."""
    text = printable(text)
    data = text.encode()
    if len(data) <= limit:
        return text
    lines = text.splitlines()
    head: List[str] = []
    tail: List[str] = []
    budget = limit // 2
    for line in lines:
        if len("\n".join(head + [line]).encode()) > budget:
            break
        head.append(line)
    for line in reversed(lines[len(head):]):
        if len("\n".join([line] + tail).encode()) > budget:
            break
        tail.insert(0, line)
    cut = len(lines) - len(head) - len(tail)
    if not head and not tail:  # one enormous line
        return data[:budget].decode("utf-8", "ignore") + f"\n… {len(data) - budget} bytes cut …"
    return "\n".join(head + [f"… {cut} lines cut …"] + tail)


def test_entry(number: int, name: str, score: float, max_score: float, passed: bool, output: str) -> Dict:
    return {"name": name, "number": str(number), "score": score, "max_score": max_score,
            "status": "passed" if passed else "failed", "output": cap_text(output, TEST_OUTPUT_BYTES),
            "output_format": "md", "visibility": "visible"}


def build(checks: Sequence[CheckResult], *, summary: str, mistakes: Sequence[str] = (),
          extra: Optional[Dict] = None, seconds: float = 0.0) -> Dict:
    """The whole results.json document for graded checks."""
    tests = [test_entry(number, f"{number}. {check.title}", check.score, check.max_score, check.passed, check.output)
             for number, check in enumerate(checks, start=1)]
    return _document(tests, summary, mistakes, {"status": "graded", **(extra or {})}, seconds)


def _document(tests: List[Dict], summary: str, mistakes: Sequence[str], extra: Optional[Dict],
              seconds: float) -> Dict:
    """extra_data is never shown to students: instructor-only details go there."""
    total = sum(test["score"] for test in tests)
    possible = sum(test["max_score"] for test in tests)
    document = {
        "score": total,
        "execution_time": round(seconds, 3),
        "output": cap_text(f"**Score: {total:g} / {possible:g}**\n\n{summary}", TOP_OUTPUT_BYTES),
        "output_format": "md",
        "stdout_visibility": "hidden",
        "tests": tests,
        "extra_data": {"mistakes": list(mistakes), **(extra or {})},
    }
    return document


def not_graded(weights: Dict[str, float], reason: str, seconds: float = 0.0, extra: Optional[Dict] = None) -> Dict:
    """Every check at zero, for a submission that could not be run at all."""
    checks = [CheckResult(key, weights[key], False, f"Not run: {reason}") for key in TITLES if key in weights]
    return build(checks, summary=f"Your submission could not be graded: {reason}", seconds=seconds,
                 extra={**(extra or {}), "status": "not graded"})


def grader_fault(trace: str, seconds: float = 0.0) -> Dict:
    """The grader itself failed: one visible zero test, the traceback only for instructors."""
    test = test_entry(1, "Autograder error", 0.0, 0.0, False,
                      "The autograder failed on this submission; the course staff has the details.")
    return _document([test], "The autograder failed on this submission. This is not your fault: "
                             "please tell the course staff.", (), {"status": "grader error", "grader_fault": trace}, seconds)


def to_text(document: Dict) -> str:
    """A results.json document as a student reads it in a terminal: each paragraph once,
    since the diagnosis is repeated in every failing test for Gradescope's sake."""
    lines, seen = [], set()
    for test in document["tests"]:
        mark = "PASS" if test["status"] == "passed" else "FAIL"
        lines.append(f"[{mark}] {test['name']}  ({test['score']:g}/{test['max_score']:g})")
        for paragraph in test.get("output", "").split("\n\n"):
            if paragraph not in seen:
                seen.add(paragraph)
                lines.extend("       " + line for line in paragraph.splitlines())
    lines.append("")
    lines.append(document["output"].replace("**", ""))
    return printable("\n".join(lines))  # whatever made the document: it reaches a terminal


def dumps(document: Dict) -> str:
    return json.dumps(document, indent=2, sort_keys=False)


def write(path: Path, document: Dict) -> None:
    write_text(path, dumps(document))


_UMASK = os.umask(0o022)
os.umask(_UMASK)


def write_text(path: Path, text: str) -> None:
    """Write a file so that a reader (or a rerun after a kill) sees the old one or the whole
    new one, never half: a temp file beside it, synced, then renamed over it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp, 0o666 & ~_UMASK)  # what open() would have made; mkstemp makes 0o600
        os.replace(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
