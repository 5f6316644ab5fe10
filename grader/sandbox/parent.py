"""Run untrusted code in a child process that the grader can always stop.

Theory of operation
-------------------
Processes::

    grader   trusted: owns the reference, the seeds, the learning check, every output file
     └ zygote   forked at start-up *before anything secret is loaded*, torch already
       │        imported (by `python -m grader`, before its command line is parsed);
       │        erases the argv and environment it inherited (forget.py); it keeps
       │        one monitor and child forked ahead, and hands them out one per session
       └ monitor  child subreaper; moves into fresh pid, network, mount and IPC
         │        namespaces when the kernel allows (System V IPC objects are the
         │        child's own and die with it) and builds the child's private root on
         │        its temp dir (root.py: read-only Python, a small tmpfs to work in),
         │        forks the child, waits for it, kills whatever it left behind, reports
         │        how it ended, removes its temp dir
         └ child  new session; rlimits; its own mount namespace, /proc and root
                  (pivot_root); unprivileged uid (when the grader is root); Landlock;
                  seccomp; empty temp cwd; scrubbed environment; only then gets its
                  channels, imports the submission from source and answers calls
                  (child.py)

Channels, all created by the grader and handed to the zygote with SCM_RIGHTS::

    calls    socketpair  grader <-> child     framed messages (protocol.py)
    output   pipe        child fd 1, 2 -> grader  drained by a thread, head and tail kept
    control  socketpair  grader <-> monitor   monitor writes "pid <n> <layers>" then
                                              "exit <code>", "signal <n> <cpu s>" or "killed";
                                              one byte from the grader, or its end
                                              closing, kills the child's whole tree

This module is the grader's side; zygote.py runs in the zygote and the monitors,
lockdown.py and child.py in the children. Forking is what makes this cheap: a child shares
torch's pages with the grader instead of importing it again (~2 s), and as the
next one is forked while the grader works, a session starts in about a
millisecond. A fault of ours raises SandboxError; everything the submission does
to itself comes back as a ``Died`` or a timeout, never as an exception from here.
"""

from __future__ import annotations

import json
import os
import socket
import sys
import threading
import time
from dataclasses import asdict
from typing import Optional, Tuple

import numpy  # noqa: F401  imported before the fork so every child has it for free
import torch

from grader.errors import SandboxError
from grader.sandbox import protocol
from grader.sandbox.limits import Limits, sandbox_user
from grader.sandbox.seen import Died, Output
from grader.sandbox.zygote import zygote_loop


class Zygote:
    """The pre-warmed process that forks sandboxes. Start it before loading secrets."""

    _early: Optional[Zygote] = None

    def __init__(self, sock: socket.socket, pid: int):
        self._sock = sock
        self.pid = pid
        self._preload: Tuple[str, ...] = ()

    def preload(self, modules: Tuple[str, ...]) -> None:
        """Have the zygote import these modules (trusted names: an exercise's) before it forks the
        next child, so that submissions that import them do not each pay for it."""
        self._preload = tuple(modules)

    @classmethod
    def fork_early(cls) -> None:
        """Fork the zygote now, for the next start() to hand out. `python -m grader` calls this
        before it parses its command line: the zygote then holds no argument, frame or object
        of the run, only the modules imported so far (zygote.forget_the_grader erases the rest)."""
        try:
            cls._early = cls._fork()
        except SandboxError:
            pass  # start() meets it again, where the verb reports it

    @classmethod
    def start(cls) -> Zygote:
        """The zygote fork_early() made, if any; otherwise one forked now."""
        early, cls._early = cls._early, None
        return early if early is not None else cls._fork()

    @classmethod
    def _fork(cls) -> Zygote:
        secret = [name for name in sys.modules if name == "reference" or name.startswith("reference.")]
        if secret:
            raise SandboxError(f"the zygote must be forked before {secret[0]} is imported")
        try:
            sandbox_user()
        except LookupError as exc:
            raise SandboxError(str(exc)) from None
        torch.set_num_threads(1)
        _warm_up()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                ours.close()
                zygote_loop(theirs)
            finally:
                os._exit(0)
        theirs.close()
        return cls(ours, pid)

    def spawn(self, limits: Limits = Limits(), output: Optional[Output] = None) -> Session:
        """A new sandboxed child; its stdout and stderr go to `output` (shared across restarts)."""
        return Session(self, limits, output or Output(limits.output_bytes))

    def _request(self, config: dict, fds: list) -> None:
        try:
            socket.send_fds(self._sock, [json.dumps(config).encode()], fds)
        except OSError as exc:
            raise SandboxError(f"the zygote is gone: {exc}") from None

    def close(self) -> None:
        self._sock.close()
        try:
            os.waitpid(self.pid, 0)
        except ChildProcessError:
            pass

    def __enter__(self) -> Zygote:
        return self

    def __exit__(self, *_) -> None:
        self.close()


def _warm_up() -> None:
    """Run one tiny forward and backward pass so torch reads the CPU's description now:
    the child, behind Landlock, can no longer read /proc/cpuinfo."""
    inputs = torch.zeros(2, 2, requires_grad=True)
    torch.logsumexp(inputs, dim=-1).sum().backward()


_TICKS = os.sysconf("SC_CLK_TCK")  # /proc's clock ticks a second


class Session:
    """One sandboxed child and its channels, from the grader's side."""

    def __init__(self, zygote: Zygote, limits: Limits, output: Output):
        self.limits = limits
        self.output = output
        self._calls, calls_child = socket.socketpair()
        self._control, control_monitor = socket.socketpair()
        output_read, output_write = os.pipe()
        try:
            zygote._request(
                {"limits": asdict(limits), "preload": list(zygote._preload)},
                [calls_child.fileno(), output_write, control_monitor.fileno()],
            )
        finally:
            calls_child.close()
            control_monitor.close()
            os.close(output_write)
        self._drain = threading.Thread(target=self._drain_output, args=(output_read,), daemon=True)
        self._drain.start()
        self._control_lines = self._control.makefile("r", encoding="ascii")
        self.died: Optional[Died] = None
        self.pid = 0  # the child's, in the grader's pid namespace (the monitor's hello says it)
        self.layers = self._handshake()

    def _handshake(self) -> Tuple[str, ...]:
        """The sandbox layers in force, once the monitor and the child have both said hello."""
        self._control.settimeout(self.limits.start_timeout_s)
        try:
            words = self._control_lines.readline().split()
        except (TimeoutError, OSError):
            words = []
        if len(words) < 2 or words[0] != "pid" or not words[1].isdigit():
            self.close()
            raise SandboxError("the sandbox monitor did not start")
        self.pid = int(words[1])
        deadline = time.monotonic() + self.limits.start_timeout_s
        try:
            hello, _ = protocol.recv(self._calls, deadline=deadline)
        except protocol.ProtocolError as exc:
            self.close()
            raise SandboxError(
                f"the sandboxed child did not start: {exc}; output: {self.output.text()[-500:]}"
            ) from None
        return tuple(words[2:]) + tuple(str(layer) for layer in hello.get("layers", []))

    def _drain_output(self, fd: int) -> None:
        with os.fdopen(fd, "rb", buffering=0) as stream:
            while True:
                data = stream.read(65536)
                if not data:
                    return
                self.output.feed(data)

    def ask(
        self, header: dict, arrays: Optional[dict], timeout_s: float, bounds: protocol.Bounds = protocol.Bounds()
    ) -> Tuple[dict, dict]:
        """Send one question and wait for its answer. Raises protocol errors; on a
        timeout or garbage the child is killed first, so it can't answer late."""
        try:
            protocol.send(self._calls, header, arrays)
            return protocol.recv(self._calls, bounds, deadline=time.monotonic() + timeout_s)
        except protocol.PeerClosed:
            self.close(patience_s=0.5)
            raise
        except (protocol.ProtocolError, OSError) as exc:
            self.close()
            if isinstance(exc, protocol.ProtocolError):
                raise
            raise protocol.PeerClosed(str(exc)) from None

    def cpu_s(self) -> Optional[Tuple[float, float]]:
        """CPU seconds the child has run, as the kernel counts them: its main thread's to the ns
        (/proc/<pid>/schedstat) and all its threads' together, living or ended, to the clock tick
        (utime + stime of /proc/<pid>/stat). What the child says of its own time could be forged by
        the code it runs. None when the kernel does not say."""
        try:
            with open(f"/proc/{self.pid}/schedstat") as handle:
                main = int(handle.read().split()[0]) / 1e9
            with open(f"/proc/{self.pid}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            return main, (int(fields[11]) + int(fields[12])) / _TICKS
        except (OSError, ValueError, IndexError):
            return None

    def _kill(self) -> None:
        try:
            self._control.sendall(b"k")
        except OSError:
            pass

    def close(self, patience_s: float = 0.0) -> Died:
        """Stop the child and learn how it ended. With patience, first give a child that hung
        up on its own that long to finish exiting, so its real exit status is reported."""
        if self.died is not None:
            return self.died
        self._calls.close()
        words = self._report(patience_s) if patience_s else []
        if not words:
            self._kill()
            words = self._report(5.0)
        self._control.close()
        self._drain.join(timeout=5.0)
        code = int(words[1]) if len(words) == 2 and words[0] == "exit" else None
        number = int(words[1]) if len(words) == 3 and words[0] == "signal" else None
        cpu_s = float(words[2]) if number is not None else None
        self.died = Died(code, number, words[:1] == ["killed"], cpu_s)
        return self.died

    def _report(self, timeout_s: float) -> list:
        """The monitor's last line: "exit <code>", "signal <n> <CPU seconds>" or "killed"."""
        self._control.settimeout(timeout_s)
        try:
            return self._control_lines.readline().split()
        except (TimeoutError, OSError, ValueError):
            return []
