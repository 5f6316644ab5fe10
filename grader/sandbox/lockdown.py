"""The sandboxed child locks itself down, then serves: rlimits, its private root, uid, Landlock,
seccomp, a scrubbed environment, only the descriptors it needs; the submission is imported only
after all of them."""

from __future__ import annotations

import os
import resource
import signal
import socket
import sys
import tempfile
from typing import List, Optional

from grader import process
from grader.sandbox import child as child_side
from grader.sandbox import landlock, protocol, root, seccomp
from grader.sandbox.limits import Limits


def lock_down_and_serve(
    limits: Limits, user, workdir: str, handoff: socket.socket, staging: Optional[str], readable: List[str]
) -> None:
    """Lock this process down, then wait for the grader's channels and serve. staging: the
    private root the monitor built (root.py), or None; readable: what the child may read."""
    os.setsid()
    keep_only_fds(0, 1, 2, handoff.fileno())  # 0, 1 and 2 are /dev/null until the channels come
    _set_rlimits(limits, user.pw_uid if user is not None else os.getuid())  # reads the machine's /proc
    private = staging is not None and root.enter(staging)
    if staging is not None and not private:  # its working tmpfs, seen from outside the root
        workdir = staging + workdir
    os.chdir(workdir)
    _scrub_environment(workdir)
    if user is not None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    process.die_with_parent()  # after setuid, which clears it
    abi = landlock.restrict(read=[*readable, "/proc/self"], write=[workdir], devices=root.DEVICES)
    layers = (["privateroot"] if private else []) + ([f"landlock:abi{abi}"] if abi else [])
    layers += ["seccomp"] if seccomp.deny() else []
    channels = receive_fds(handoff, 2)
    if channels is None:
        return
    calls, output = channels
    os.dup2(output, 1)
    os.dup2(output, 2)
    os.close(output)
    handoff.close()
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    sys.dont_write_bytecode = True
    # The grader's sys.stdout may be anything (pytest swaps it for a capture file):
    # the student's prints go to fd 1 and 2, which are the output pipe.
    # typeshed declares sys.__stdout__ and sys.__stderr__ Final; they are plain attributes.
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)  # type: ignore[misc]
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False, buffering=1)  # type: ignore[misc]
    sock = socket.socket(fileno=calls)
    protocol.send(sock, {"kind": "hello", "layers": layers})
    child_side.serve(sock, workdir)


def keep_only_fds(*keep: int) -> None:
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = 65536 if top == resource.RLIM_INFINITY or top > 65536 else top
    low = 0
    for fd in sorted(keep) + [top]:
        if low < fd:  # closerange(n, n) would close everything: it passes n - 1 on as unsigned
            os.closerange(low, fd)
        low = fd + 1


def receive_fds(sock: socket.socket, count: int) -> Optional[list]:
    """count file descriptors sent with SCM_RIGHTS, or None at end of file (or anything else)."""
    try:
        message, fds, _, _ = socket.recv_fds(sock, 16, count)
    except OSError:
        return None
    if message != b"go" or len(fds) != count:
        for fd in fds:
            os.close(fd)
        return None
    return fds


def _scrub_environment(home: str) -> None:
    """A minimal environment (the zygote already erased the grader's, zygote.forget_the_grader)."""
    os.environ.clear()
    os.environ.update(
        {
            "PATH": "/usr/bin:/bin",
            "HOME": home,
            "TMPDIR": home,
            "LANG": "C.UTF-8",
            "OMP_NUM_THREADS": "1",
            "MKL_NUM_THREADS": "1",
            # torch.compile runs the function eagerly: the grader grades the math, and inductor
            # could not write its cache or start its compile workers here anyway.
            # torch._dynamo.config reads it when first imported, which is after this.
            "TORCH_COMPILE_DISABLE": "1",
        }
    )
    tempfile.tempdir = home


def _set_rlimits(limits: Limits, uid: int) -> None:
    mapped = process.vm_size_bytes()
    mb = 1024 * 1024
    for which, soft in (
        (resource.RLIMIT_AS, mapped + limits.memory_mb * mb),
        (resource.RLIMIT_CPU, limits.cpu_s),
        (resource.RLIMIT_NPROC, _tasks_of(uid) + limits.processes),
        (resource.RLIMIT_FSIZE, limits.file_size_mb * mb),
        (resource.RLIMIT_NOFILE, limits.open_files),
        (resource.RLIMIT_CORE, 0),
    ):
        _, ceiling = resource.getrlimit(which)
        if ceiling != resource.RLIM_INFINITY:
            soft = min(soft, ceiling - 1 if which == resource.RLIMIT_CPU else ceiling)
        hard = soft + 1 if which == resource.RLIMIT_CPU else soft  # SIGXCPU first, then SIGKILL
        resource.setrlimit(which, (soft, hard))


def _tasks_of(uid: int) -> int:
    """How many tasks (processes and threads) the user already runs: RLIMIT_NPROC counts them all."""
    count = 0
    for pid in os.listdir("/proc"):
        if pid.isdigit():
            try:
                if os.stat(f"/proc/{pid}").st_uid == uid:
                    count += len(os.listdir(f"/proc/{pid}/task"))
            except OSError:
                pass
    return count
