"""What the grader learns of a child besides its answers: what it printed, and how it ended."""

from __future__ import annotations

import signal
import threading
from dataclasses import dataclass
from typing import Optional

from grader.sandbox.limits import Limits


@dataclass(frozen=True)
class Died:
    """How a child ended when it stopped answering."""

    code: Optional[int]  # exit status, if it exited
    signal: Optional[int]  # terminating signal, if killed
    killed_by_grader: bool  # we killed it (timeout or cleanup)
    cpu_s: Optional[float] = None  # the CPU seconds it had used, when a signal ended it

    @property
    def reported(self) -> bool:
        """Whether the monitor said how the child ended: it says so only once the child and
        everything it left behind are dead."""
        return self.code is not None or self.signal is not None or self.killed_by_grader

    def describe(self, limits: Limits) -> str:
        if self.killed_by_grader:
            return "it was stopped by the grader"
        # The child is its pid namespace's init, which ignores RLIMIT_CPU's SIGXCPU: the SIGKILL a
        # second later ends it, told from another SIGKILL by the seconds it had used.
        past_cpu = self.signal == signal.SIGKILL and self.cpu_s is not None and self.cpu_s >= limits.cpu_s
        if self.signal == signal.SIGXCPU or past_cpu:
            return f"it used more than its {limits.cpu_s} s of CPU time"
        if self.signal is not None:
            name = (
                signal.Signals(self.signal).name
                if self.signal in signal.Signals._value2member_map_
                else str(self.signal)
            )
            hint = (
                " (usually memory exhausted or a crash inside a library)"
                if self.signal in (signal.SIGSEGV, signal.SIGBUS, signal.SIGABRT)
                else ""
            )
            return f"the process was killed by {name}{hint}"
        if self.code is not None:
            return f"the process exited with status {self.code} (it called exit() or os._exit())"
        return "the process ended without saying how"


class Output:
    """Keep the first and last bytes of a stream that may be enormous."""

    def __init__(self, keep: int):
        self._half = keep // 2
        self.head = bytearray()
        self.tail = bytearray()
        self.total = 0
        self._lock = threading.Lock()

    def feed(self, data: bytes) -> None:
        with self._lock:
            self.total += len(data)
            room = self._half - len(self.head)
            if room > 0:
                self.head += data[:room]
                data = data[room:]
            self.tail = (self.tail + data)[-self._half :]

    def text(self) -> str:
        with self._lock:
            head = self.head.decode("utf-8", "replace")
            if self.total <= len(self.head) + len(self.tail):
                return head + self.tail.decode("utf-8", "replace")
            cut = self.total - len(self.head) - len(self.tail)
            return f"{head}\n… {cut} bytes cut …\n{self.tail.decode('utf-8', 'replace')}"
