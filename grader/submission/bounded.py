"""Run the loader in a forked reader held to a memory and time budget: `bounded`.

What a student hands in decides what reading it costs: Python's own parser takes
about 600 MB for 1 MB of `a=1;`, more than Gradescope's 768 MB box leaves the
grader, whose run the kernel would then kill before any results.json is written.
So everything that lists, reads, decodes, parses or extracts student files runs
in a reader forked from the grader: the grader's own code (never the student's)
under RLIMIT_AS = what it maps at birth + READ_MEMORY_MB and RLIMIT_CPU, with a
wall-clock limit the parent enforces. It answers on a pipe with JSON, one object
a line, and nothing it sends is unpickled or executed::

    {"read": path, "bytes": n}   before it reads each file (files.before_read)
    {"done": value}              work()'s JSON-able result
    {"error": message}           a LoadError: the submission's fault, for the student
    {"memory": true}             MemoryError: its budget ran out
    {"fault": traceback}         a bug of ours

and in the last line, "imported": those of the modules named in `share` that it
imported (nbformat: 0.3 s, and 40 ms to build its validator). The parent prepares
them itself before it forks the next reader, which then has them at no cost: a
batch pays once, and a grader that reads one submission only never does.

A reader that runs out of memory or time, or dies, becomes a LoadError naming
the file it was reading. Running out of memory is judged by how much the reader
mapped at its peak, not by a MemoryError: the loader reads one from Python's
parser as "cannot be parsed" (it raises one for 100,000 nested `-`, in a few
MB), and one from a budget that ran out may have been caught on the way. The
fork costs about 10 ms with torch loaded (pages are shared copy-on-write, and
the reader touches few of them).
"""

from __future__ import annotations

import gc
import json
import os
import resource
import select
import signal
import sys
import time
import traceback
from pathlib import Path
from typing import Any, Callable, Dict, Iterable, List, Mapping, NoReturn, Optional, Set, Tuple

from grader import process
from grader.errors import GraderError, LoadError
from grader.submission import files
from grader.text import code as md_code

READ_MEMORY_MB = 320  # on top of what the reader maps at birth: the sandboxed child's own budget (Limits)
READ_WALL_S = 10.0  # reading a submission takes milliseconds; one still reading has stalled
_SPARE_MB = 64  # a reader that mapped within this of its limit ran out: what fails is a small allocation
ANSWER_MAX_BYTES = 64 * 1024 * 1024  # the source sent to the sandbox is at most a few MB
_EXIT_MEMORY = 3  # the reader ran out of memory even to say so
_wanted: Set[str] = set()  # modules a reader imported, for the parent to prepare before the next fork


def bounded(work: Callable[[], object], root: Path, share: Mapping[str, Callable[[], None]] = {}) -> Any:
    """work() run in a forked reader within the budget, its JSON-able result returned here; a
    LoadError it raises is raised here, and so is one for a reader that runs out of memory or time
    (naming the file it was reading, relative to root); a fault of ours raises GraderError.
    share: how to prepare each module here once a reader has imported it (the module's docstring)."""
    for name in sorted(_wanted.intersection(share).difference(sys.modules)):
        share[name]()
    _wanted.clear()
    reading, writing = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(reading)
        _read(work, writing, share)
    os.close(writing)
    status: Optional[int] = None
    try:
        answers, status = _collect(reading, pid)
    finally:
        os.close(reading)
        if status is None:  # timed out, or the grader is being interrupted
            _kill(pid)
    _wanted.update(answers[-1].get("imported", []) if answers else [])
    return _outcome(answers, status, root)


def _read(work: Callable[[], object], fd: int, share: Iterable[str]) -> NoReturn:
    """The reader: limits, then work(), then its answer; it never returns."""
    code = 1
    try:
        gc.freeze()  # the collector would touch, and so copy, every page of the grader's objects
        process.die_with_parent()
        memory = _lower(resource.RLIMIT_AS, process.vm_size_bytes() + READ_MEMORY_MB * 1024 * 1024)
        _lower(resource.RLIMIT_CPU, int(READ_WALL_S) + 1)  # a backstop: the parent's wall clock stops it first
        _lower(resource.RLIMIT_CORE, 0)
        files.before_read(lambda path, size: _send(fd, {"read": str(path), "bytes": size}))
        try:
            answer: Dict[str, object] = {"done": work()}
        except LoadError as exc:
            answer = {"error": str(exc)}
        except MemoryError:
            answer = {"memory": True}
        except Exception:
            answer = {"fault": traceback.format_exc()}
        if process.vm_size_bytes("VmPeak") > memory - _SPARE_MB * 1024 * 1024:
            answer = {"memory": True}  # whatever became of the MemoryError, its budget ran out
        answer["imported"] = [name for name in share if name in sys.modules]
        _send(fd, answer)
        code = 0
    except MemoryError:
        code = _EXIT_MEMORY
    finally:
        os._exit(code)


def _lower(kind: int, value: int) -> int:
    """Set a limit to value, or leave it where it was if it is lower already (a batch's worker has
    its own); the limit now in force."""
    hard = resource.getrlimit(kind)[1]
    value = value if hard == resource.RLIM_INFINITY else min(value, hard)
    resource.setrlimit(kind, (value, value))
    return value


def _send(fd: int, message: Dict[str, object]) -> None:
    data = (json.dumps(message) + "\n").encode()  # ASCII: the line holds no other newline
    while data:
        data = data[os.write(fd, data) :]


def _collect(fd: int, pid: int) -> Tuple[List[dict], Optional[int]]:
    """The reader's answers until it closes the pipe and its wait status; None if it overran."""
    deadline = time.monotonic() + READ_WALL_S
    received = bytearray()
    poll = select.poll()
    poll.register(fd, select.POLLIN)
    while True:
        left = deadline - time.monotonic()
        if left <= 0 or not poll.poll(left * 1000):
            return _answers(received), None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return _answers(received), os.waitpid(pid, 0)[1]
        received += chunk
        if len(received) > ANSWER_MAX_BYTES:
            raise GraderError(f"the submission's reader sent more than {ANSWER_MAX_BYTES >> 20} MB")


def _answers(received: bytearray) -> List[dict]:
    """The complete lines, parsed; a line cut short by the reader's death is dropped."""
    return [json.loads(line) for line in received.split(b"\n")[:-1]]


def _kill(pid: int) -> None:
    """Kill the reader and reap it; one stuck in the kernel (a stalled file system) is left to
    die when its read returns, rather than stalling the grade as well."""
    os.kill(pid, signal.SIGKILL)
    for _ in range(100):
        if os.waitpid(pid, os.WNOHANG)[0]:
            return
        time.sleep(0.01)


def _outcome(answers: List[dict], status: Optional[int], root: Path) -> Any:
    last = answers[-1] if answers else {}
    if "done" in last:
        return last["done"]
    if "error" in last:
        raise LoadError(last["error"])
    if "fault" in last:
        raise GraderError(f"the submission's reader failed:\n{last['fault']}")
    reads = [answer for answer in answers if "read" in answer]
    name, size = _reading(reads[-1], root) if reads else ("", "")
    if status is None or (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGXCPU):
        said = f" (it was reading {name}, {size})" if name else ""
        raise LoadError(f"reading the submission did not finish within {READ_WALL_S:g} s, so it was not run{said}")
    if "memory" in last or os.WIFSIGNALED(status) or os.WEXITSTATUS(status) == _EXIT_MEMORY:
        what = f"{name} ({size})" if name else "your upload"
        raise LoadError(
            f"{what} is too large for the grader to read: reading it took more than the {READ_MEMORY_MB} MB "
            "of memory the grader has for reading a submission, so it was not run. Submit only your code"
        )
    raise GraderError(f"the submission's reader ended with status {status} and no answer")


def _reading(read: dict, root: Path) -> Tuple[str, str]:
    """("`data/big.py`", "1.0 MB"): the file the reader was reading, and its size, for a message."""
    path = Path(read["read"])
    inside = path.relative_to(root) if path.is_relative_to(root) else None
    return md_code(str(inside) if inside and inside.parts else path.name), f"{read['bytes'] / 2**20:.1f} MB"
