"""Run a function over jobs in forked worker processes that may die: `run_pool`.

Theory of operation: the caller (the batch) forks `workers` processes; each
reads job numbers from its task pipe, calls work(job) and writes the JSON
document it returns, framed (8-byte length), on its answer pipe. The caller
watches every answer pipe: a pipe that closes means its worker died, and
only the job that worker held fails (with a grader-error document); a job
past its wall limit is treated the same; a replacement worker is forked.
Workers die with the caller (PR_SET_PDEATHSIG) and never write files.
multiprocessing.Pool would hang on a dead worker, and one dead worker breaks
a whole ProcessPoolExecutor, hence this small pool.

`meanwhile`, if given, runs in a thread of the caller once the first workers
are forked; every later fork (a replacement) waits for it to end, and so does
the return (the caller may fork next): a fork while another thread is importing
a module leaves the child that module's lock, held by a thread the child does
not have.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import selectors
import signal
import struct
import sys
import threading
import time
import traceback
from collections import deque
from dataclasses import dataclass
from typing import Callable, Dict, List, Optional, Sequence, Tuple, TypeVar

from grader import process
from grader.outputs import results
from grader.outputs.results import Results

WORKER_MEMORY_MB = 3072  # address space a worker may add to what it maps at birth
ANSWER_MAX_BYTES = 64 * 1024 * 1024

Job = TypeVar("Job")


@dataclass
class _Worker:
    pid: int
    tasks: int  # fd: we write entry numbers, one per line
    answers: int  # fd: the worker writes framed results documents
    buffer: bytearray
    job: Optional[int] = None
    started: float = 0.0


def run_pool(
    jobs: Sequence[Job],
    work: Callable[[Job], Results],
    *,
    workers: int,
    wall_s: float,
    done: Callable[[Job, Results, float], None],
    tick: Optional[Callable[[List[Tuple[Job, float]]], None]] = None,
    meanwhile: Optional[Callable[[], None]] = None,
) -> None:
    """Call work(job) in forked worker processes; done(job, document, seconds) here, exactly once
    per job, in completion order; tick(running), if given, at least once a second with the
    (job, seconds so far) of every job being worked on; meanwhile(), if given, in a thread here
    while the workers work (see the module's docstring). A worker that dies or overruns wall_s
    costs only its job, which gets a grader-error document. Returns when every job is done; on
    any exception (Ctrl-C included) every worker is killed before it propagates."""
    pool = _Pool(list(jobs), work, wall_s, done, tick, meanwhile)
    try:
        pool.run(max(1, min(workers, len(jobs))))
    finally:
        pool.stop()


class _Pool:
    def __init__(
        self,
        jobs: list,
        work: Callable,
        wall_s: float,
        done: Callable,
        tick: Optional[Callable] = None,
        meanwhile: Optional[Callable] = None,
    ):
        self.jobs, self.work, self.wall_s, self.done, self.tick = jobs, work, wall_s, done, tick
        self.workers: Dict[int, _Worker] = {}  # by answers fd
        self.selector = selectors.DefaultSelector()
        self.meanwhile = None if meanwhile is None else threading.Thread(target=meanwhile, daemon=True)

    def run(self, size: int) -> None:
        pending = deque(range(len(self.jobs)))
        while pending or any(worker.job is not None for worker in self.workers.values()):
            while len(self.workers) < size and pending:
                self._fork()
            if self.meanwhile is not None and self.meanwhile.ident is None:
                self.meanwhile.start()
            for worker in list(self.workers.values()):
                if worker.job is None and pending:
                    if self._assign(worker, pending[0]):
                        pending.popleft()
                    else:  # died while idle: reaped here, the entry waits for the replacement
                        self._lost(worker, "died while idle")
            for key, _ in self.selector.select(timeout=1.0):
                ready: _Worker = key.data
                if self.workers.get(ready.answers) is ready:
                    self._read(ready)
            now = time.monotonic()
            for worker in list(self.workers.values()):
                if worker.job is not None and now - worker.started > self.wall_s:
                    self._lost(worker, f"was stopped after the batch's last-resort limit of {self.wall_s:g} s")
            if self.tick is not None:
                self.tick([(self.jobs[w.job], now - w.started) for w in self.workers.values() if w.job is not None])
        self._wait_meanwhile()

    def _wait_meanwhile(self) -> None:
        """Let `meanwhile` end, if it started (see the module's docstring)."""
        if self.meanwhile is not None and self.meanwhile.ident is not None:
            self.meanwhile.join()

    def _fork(self) -> None:
        self._wait_meanwhile()
        tasks_read, tasks_write = os.pipe()
        answers_read, answers_write = os.pipe()
        parent = os.getpid()
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            code = 70
            try:
                os.close(tasks_write)
                os.close(answers_read)
                for other in self.workers.values():  # or their pipes would never report EOF
                    os.close(other.tasks)
                    os.close(other.answers)
                self.selector.close()
                code = _serve(parent, tasks_read, answers_write, self.jobs, self.work)
            finally:
                os._exit(code)
        os.close(tasks_read)
        os.close(answers_write)
        os.set_blocking(answers_read, False)
        worker = _Worker(pid, tasks_write, answers_read, bytearray())
        self.workers[answers_read] = worker
        self.selector.register(answers_read, selectors.EVENT_READ, worker)

    def _assign(self, worker: _Worker, job: int) -> bool:
        try:
            os.write(worker.tasks, f"{job}\n".encode())
        except OSError:
            return False
        worker.job, worker.started = job, time.monotonic()
        return True

    def _read(self, worker: _Worker) -> None:
        try:
            data = os.read(worker.answers, 1 << 20)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            self._lost(worker, "died")
            return
        worker.buffer += data
        while len(worker.buffer) >= 8:
            size = struct.unpack(">Q", worker.buffer[:8])[0]
            if size > ANSWER_MAX_BYTES:
                self._lost(worker, f"sent an answer of {size} bytes")
                return
            if len(worker.buffer) < 8 + size:
                return
            payload = bytes(worker.buffer[8 : 8 + size])
            del worker.buffer[: 8 + size]
            job, seconds = worker.job, time.monotonic() - worker.started
            worker.job = None
            if job is None:
                continue
            try:
                document = json.loads(payload)
                if not isinstance(document, dict):
                    raise ValueError("not a JSON object")
            except (ValueError, RecursionError) as exc:
                document = results.grader_fault(f"the grading worker sent an unreadable document: {exc!r}", seconds)
            self.done(self.jobs[job], document, seconds)

    def _lost(self, worker: _Worker, what: str) -> None:
        """A worker died or was given up on: reap it, and fail the entry it held (only that one)."""
        how = self._kill(worker)
        if worker.job is not None:
            seconds = time.monotonic() - worker.started
            job = self.jobs[worker.job]
            trace = (
                f"The grading worker (pid {worker.pid}) {what} ({how}) while grading "
                f"{getattr(job, 'label', job)!s}. No other entry was affected."
            )
            self.done(job, results.grader_fault(trace, seconds), seconds)

    def _kill(self, worker: _Worker) -> str:
        self.workers.pop(worker.answers, None)
        with contextlib.suppress(KeyError, ValueError):
            self.selector.unregister(worker.answers)
        for fd in (worker.tasks, worker.answers):
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(ProcessLookupError):
            os.kill(worker.pid, signal.SIGKILL)
        try:
            _, status = os.waitpid(worker.pid, 0)
        except ChildProcessError:
            return "already reaped"
        if os.WIFSIGNALED(status):
            number = os.WTERMSIG(status)
            name = signal.Signals(number).name if number in signal.Signals._value2member_map_ else str(number)
            return f"killed by {name}"
        return f"exit status {os.waitstatus_to_exitcode(status)}"

    def stop(self) -> None:
        for worker in list(self.workers.values()):
            self._kill(worker)
        self.selector.close()


def _serve(parent: int, tasks: int, answers: int, jobs: list, work: Callable) -> int:
    """A worker's life: grade what the batch sends until it hangs up."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the batch handles it
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    process.die_with_parent()
    if os.getppid() != parent:  # the batch died before prctl
        return 0
    _cap_memory(WORKER_MEMORY_MB)
    with os.fdopen(tasks, "rb") as stream:
        for line in stream:
            start = time.monotonic()
            try:
                data = json.dumps(work(jobs[int(line)])).encode()
            except Exception:  # a fault of ours, never the submission's (that runs in the sandbox)
                data = json.dumps(results.grader_fault(traceback.format_exc(), time.monotonic() - start)).encode()
            view = memoryview(struct.pack(">Q", len(data)) + data)
            while view:
                view = view[os.write(answers, view) :]
    return 0


def _cap_memory(megabytes: int) -> None:
    """A last resort: a worker that runs away with memory fails its entry, not the machine."""
    limit = process.vm_size_bytes() + megabytes * 1024 * 1024
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard == resource.RLIM_INFINITY or hard > limit:
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
