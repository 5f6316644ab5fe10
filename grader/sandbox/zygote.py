"""What runs in the zygote and the monitors: the other side of parent.py.

Nothing here runs in the grader itself except the fork that starts the zygote.
The zygote erases what it inherited of the grading run (forget.py), then keeps one
monitor and child forked ahead (``_Spare``); a monitor prepares the child's
namespaces, temp dir and private root (root.py), hands it the grader's channels and
reports how it ended; the child locks itself down (lockdown.py) before it
receives them and imports the submission only after.
"""

from __future__ import annotations

import ctypes
import fcntl
import importlib
import json
import os
import select
import shutil
import signal
import socket
import tempfile
import traceback
from typing import List, Optional, Set, Tuple

from grader import process
from grader.sandbox import root
from grader.sandbox.forget import forget_the_grader
from grader.sandbox.limits import Limits, sandbox_user
from grader.sandbox.lockdown import keep_only_fds, lock_down_and_serve, receive_fds

_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
_CLONE_NEWIPC = 0x08000000
_MS_REC, _MS_PRIVATE, _MNT_DETACH = 0x4000, 0x40000, 0x2


def zygote_loop(sock: socket.socket) -> None:
    """The zygote's life: fork a monitor (and child) per request on sock, until the grader hangs up."""
    # Monitors are reaped here rather than ignored, so their CPU time (and their
    # children's) adds up to the grader's: a benchmark can then account for all of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grader's to handle
    signal.signal(signal.SIGCHLD, lambda *_: _reap(block=False))
    process.die_with_parent()
    forget_the_grader()
    spare: Optional[_Spare] = None
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(sock, 65536, 3)
        except OSError:
            message, fds = b"", []
        if not message:
            if spare is not None:
                spare.discard()
            _reap(block=True)
            return
        request = json.loads(message)
        limits = request["limits"]
        if len(fds) == 3:
            imported = _preload(request.get("preload", []))
            if spare is None or spare.limits != limits or imported:
                if spare is not None:
                    spare.discard()
                spare = _Spare.fork(limits, sock)
            spare.hand_over(fds)
            spare = _Spare.fork(limits, sock)  # made while the grader works with this one
        for fd in fds:
            os.close(fd)


_PRELOADED: Set[str] = set()  # the modules asked for so far, imported or not


def _preload(modules: List[str]) -> bool:
    """Import the modules an exercise's submissions may use, once, so that every child forked from
    now on has them for free (scipy.signal: 1 s in each child, 60 MB once here). One that fails to
    import is left to the submission, whose own import then says why. Whether any was new: a spare
    forked before lacks it."""
    new = [name for name in modules if isinstance(name, str) and name not in _PRELOADED]
    for name in new:
        _PRELOADED.add(name)
        os.environ["OPENBLAS_NUM_THREADS"] = "1"  # a thread pool here would only be lost in each fork
        try:
            importlib.import_module(name)
        except Exception:
            pass
        finally:
            os.environ.clear()  # the zygote's environment stays empty (forget.py)
    return bool(new)


class _Spare:
    """A monitor and child forked ahead of time, set up and locked down, waiting for their
    channels: handing them over costs a message, not the two forks (~25 ms) of a new one."""

    def __init__(self, limits: dict, handoff: socket.socket):
        self.limits, self.handoff = limits, handoff

    @classmethod
    def fork(cls, limits: dict, zygote_sock: socket.socket) -> _Spare:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        pid = os.fork()
        if pid == 0:
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # the monitor waits for its own child
            try:
                _monitor(limits, theirs.detach())
            finally:
                os._exit(0)
        theirs.close()
        return cls(limits, ours)

    def hand_over(self, fds: list) -> None:
        try:
            socket.send_fds(self.handoff, [b"go"], fds)
        except OSError:
            pass  # the spare died; the grader's handshake times out and says so
        self.handoff.close()

    def discard(self) -> None:
        self.handoff.close()  # end of file: the monitor kills its child and cleans up


def _reap(block: bool) -> None:
    """Collect finished monitors; with block, wait for all of them (each ends with its child)."""
    while True:
        try:
            pid, _ = os.waitpid(-1, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def _monitor(limits: dict, handoff: int) -> None:
    """Prepare a child, wait for the grader's channels, then watch the child until it ends."""
    handoff = _quiet_fds(handoff)
    process.die_with_parent()  # a spare dies with the zygote
    process.become_subreaper()
    user = sandbox_user()
    workdir = tempfile.mkdtemp(prefix="grader-child-")
    owner = (user.pw_uid, user.pw_gid) if user is not None else (os.getuid(), os.getgid())
    if user is not None:
        os.chown(workdir, *owner)
    layers = _enter_namespaces(root=user is not None)
    readable = root.readable_paths()
    staging = None
    if "mountns" in layers and _private_mounts():
        if root.build(workdir, readable, workdir, limits["disk_mb"], *owner):
            staging = workdir
        if staging or root.work_tmpfs(workdir, limits["disk_mb"], *owner):
            layers.append(f"tmpfs:{limits['disk_mb']}MB")
    layers += [f"uid:{user.pw_name}"] if user is not None else []
    to_child, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    child = os.fork()
    if child == 0:
        try:
            to_child.close()
            lock_down_and_serve(Limits(**limits), user, workdir, child_end, staging, readable)
        except BaseException:
            traceback.print_exc()  # reaches the grader through the output pipe once fd 2 is set
            os._exit(70)
        os._exit(0)
    child_end.close()
    _watch(child, to_child, handoff, layers)
    process.libc.umount2(workdir.encode(), _MNT_DETACH)  # a no-op when it is no mount point
    shutil.rmtree(workdir, ignore_errors=True)


def _quiet_fds(handoff: int) -> int:
    """Keep only the handoff socket (moved above stdio, which becomes /dev/null); its new fd."""
    moved = fcntl.fcntl(handoff, fcntl.F_DUPFD_CLOEXEC, 3)
    keep_only_fds(moved)
    for fd in (0, 1, 2):
        os.dup2(os.open(os.devnull, os.O_RDWR), fd)
    keep_only_fds(0, 1, 2, moved)
    return moved


def _watch(child: int, to_child: socket.socket, handoff: int, layers: List[str]) -> None:
    """Hand the grader's channels to the child, tell the grader its pid and layers, wait for its
    end (or kill it when told), kill what it left behind, and report how it ended."""
    channels = receive_fds(socket.socket(fileno=handoff), 3)
    if channels is None:  # discarded: the grader is gone or wants other limits
        _kill_child(child)
        to_child.close()
        os.waitpid(child, 0)
        _kill_leftovers()
        return
    calls, output, control = channels
    socket.send_fds(to_child, [b"go"], [calls, output])
    os.close(calls)
    os.close(output)
    to_child.close()
    control_sock = socket.socket(fileno=control)
    control_sock.sendall(f"pid {child} {' '.join(layers)}\n".encode())
    status, killed, cpu_s = _wait_or_kill(child, control_sock)
    _kill_leftovers()
    if killed:
        report = "killed"
    elif os.WIFEXITED(status):
        report = f"exit {os.waitstatus_to_exitcode(status)}"
    else:  # with the CPU seconds it had used: RLIMIT_CPU's SIGKILL is told from any other by them
        report = f"signal {os.WTERMSIG(status)} {cpu_s:.3f}"
    try:
        control_sock.sendall(f"{report}\n".encode())
    except OSError:
        pass


def _kill_child(child: int) -> None:
    for kill in (lambda: os.killpg(child, signal.SIGKILL), lambda: os.kill(child, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


def _wait_or_kill(child: int, control: socket.socket) -> Tuple[int, bool, float]:
    """Wait for the child to end; a byte from the grader, or its hanging up, kills it first.
    Returns the wait status, whether we killed it and the CPU seconds it used. (No threads here: a
    process that unshared its pid namespace cannot start one.)"""
    pidfd = os.pidfd_open(child)
    poller = select.poll()
    poller.register(pidfd, select.POLLIN)
    poller.register(control, select.POLLIN)
    killed = False
    while not any(fd == pidfd for fd, _ in poller.poll()):
        _kill_child(child)
        poller.unregister(control)
        killed = True
    os.close(pidfd)
    _, status, usage = os.wait4(child, 0)
    return status, killed, usage.ru_utime + usage.ru_stime


def _kill_leftovers() -> None:
    """Kill and reap every descendant that outlived the child (they were reparented to us)."""
    while True:
        for pid in _children():
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        try:
            os.waitpid(-1, 0)
        except ChildProcessError:
            return


def _children() -> List[int]:
    pids: List[int] = []
    for task in os.listdir("/proc/self/task"):
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                pids.extend(int(p) for p in handle.read().split())
        except OSError:
            pass
    return pids


def _enter_namespaces(root: bool) -> list:
    """New pid, network, mount and IPC namespaces for the child: no network at all, the whole
    tree dies with it, its temp dir can be a private tmpfs, and System V shared memory, queues
    and semaphores are its own (invisible to every other child, and freed with it, where they
    would otherwise outlive the grader). Root needs nothing else; others need a user namespace
    too. A kernel without IPC namespaces still gets the other three (seccomp denies IPC anyway)."""
    base, names = _CLONE_NEWPID | _CLONE_NEWNET | _CLONE_NEWNS, ["pidns", "netns", "mountns"]
    for flags, layers in ((base | _CLONE_NEWIPC, names + ["ipcns"]), (base, names)):
        if root and process.libc.unshare(flags) == 0:
            return layers
        if not root and process.libc.unshare(_CLONE_NEWUSER | flags) == 0:
            uid, gid = os.getuid(), os.getgid()
            for path, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
                with open(f"/proc/self/{path}", "w") as handle:
                    handle.write(text)
            return ["userns"] + layers
    return []


def _private_mounts() -> bool:
    """Whether mounts made here stay in this mount namespace (none propagates to the machine's)."""
    return process.libc.mount(None, b"/", None, ctypes.c_ulong(_MS_REC | _MS_PRIVATE), None) == 0
