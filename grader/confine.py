"""The other side of sandbox.py: what runs in the zygote, the monitors and the children.

Nothing here runs in the grader itself except the fork that starts the zygote.
The zygote keeps one monitor and child forked ahead (``_Spare``); a monitor
prepares the child's namespaces and temp dir, hands it the grader's channels and
reports how it ended; the child locks itself down (rlimits, uid, Landlock,
seccomp) before it receives them and imports the submission only after.
"""
from __future__ import annotations

import ctypes
import fcntl
import json
import os
import pwd
import resource
import select
import shutil
import signal
import socket
import sys
import tempfile
import traceback
from dataclasses import dataclass
from typing import Optional, Tuple

from grader import child as child_side
from grader import landlock, protocol, syscalls

SANDBOX_USERS = ("grader-sandbox", "nobody")  # the first that exists; setup.sh creates the first
_CLONE_NEWNS, _CLONE_NEWUSER, _CLONE_NEWPID, _CLONE_NEWNET = 0x00020000, 0x10000000, 0x20000000, 0x40000000
_CLONE_NEWIPC = 0x08000000
_MS_NOSUID, _MS_NODEV, _MS_REC, _MS_PRIVATE, _MNT_DETACH = 0x2, 0x4, 0x4000, 0x40000, 0x2
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36
_libc = ctypes.CDLL(None, use_errno=True)


@dataclass(frozen=True)
class Limits:
    """What one sandboxed session may use."""

    memory_mb: int = 320          # address space on top of what the child maps at birth (torch ~640 MB)
    cpu_s: int = 60               # CPU seconds for the whole session
    processes: int = 32           # tasks the sandbox user may add (RLIMIT_NPROC on top of its count)
    file_size_mb: int = 16        # largest file the child may write
    disk_mb: int = 32             # all files together: the temp dir is a tmpfs of this size when namespaces allow
    open_files: int = 64
    start_timeout_s: float = 10.0  # from spawn to the child's hello
    import_timeout_s: float = 10.0  # executing the submission's module
    call_timeout_s: float = 5.0    # one call of pseudo_loss, backward included
    budget_s: float = 120.0        # everything the submission's children may take, wall
    restarts: int = 2              # fresh children after a timeout or crash before giving up
    output_bytes: int = 8192       # of stdout/stderr kept: half from the start, half from the end


def zygote_loop(sock: socket.socket) -> None:
    """The zygote's life: fork a monitor (and child) per request on sock, until the grader hangs up."""
    # Monitors are reaped here rather than ignored, so their CPU time (and their
    # children's) adds up to the grader's: a benchmark can then account for all of it.
    signal.signal(signal.SIGINT, signal.SIG_IGN)   # Ctrl-C is the grader's to handle
    signal.signal(signal.SIGCHLD, lambda *_: _reap(block=False))
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
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
        limits = json.loads(message)["limits"]
        if len(fds) == 3:
            if spare is None or spare.limits != limits:
                if spare is not None:
                    spare.discard()
                spare = _Spare.fork(limits, sock)
            spare.hand_over(fds)
            spare = _Spare.fork(limits, sock)  # made while the grader works with this one
        for fd in fds:
            os.close(fd)


class _Spare:
    """A monitor and child forked ahead of time, set up and locked down, waiting for their
    channels: handing them over costs a message, not the two forks (~25 ms) of a new one."""

    def __init__(self, limits: dict, handoff: socket.socket):
        self.limits, self.handoff = limits, handoff

    @classmethod
    def fork(cls, limits: dict, zygote_sock: socket.socket) -> "_Spare":
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
    moved = fcntl.fcntl(handoff, fcntl.F_DUPFD_CLOEXEC, 3)  # above stdio, which becomes /dev/null
    _keep_only_fds(moved)
    handoff = moved
    for fd in (0, 1, 2):
        os.dup2(os.open(os.devnull, os.O_RDWR), fd)
    _keep_only_fds(0, 1, 2, handoff)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # a spare dies with the zygote
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)
    user = sandbox_user()
    workdir = tempfile.mkdtemp(prefix="pseudoloss-")
    owner = (user.pw_uid, user.pw_gid) if user is not None else (os.getuid(), os.getgid())
    if user is not None:
        os.chown(workdir, *owner)
    layers = _enter_namespaces(root=user is not None)
    if "mountns" in layers and _mount_tmpfs(workdir, limits["disk_mb"], *owner):
        layers.append(f"tmpfs:{limits['disk_mb']}MB")
    to_child, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    child = os.fork()
    if child == 0:
        try:
            to_child.close()
            _child(Limits(**limits), user, workdir, child_end)
        except BaseException:
            traceback.print_exc()  # reaches the grader through the output pipe once fd 2 is set
            os._exit(70)
        os._exit(0)
    child_end.close()
    channels = _receive_fds(socket.socket(fileno=handoff), 3)
    if channels is None:  # discarded: the grader is gone or wants other limits
        calls = output = control = None
        _kill_child(child)
    else:
        calls, output, control = channels
        socket.send_fds(to_child, [b"go"], [calls, output])
        os.close(calls)
        os.close(output)
    to_child.close()
    if control is None:
        status, killed = os.waitpid(child, 0)[1], True
        control_sock = None
    else:
        control_sock = socket.socket(fileno=control)
        uid_layer = [f"uid:{user.pw_name}"] if user is not None else []
        control_sock.sendall(f"pid {child} {' '.join(layers + uid_layer)}\n".encode())
        status, killed = _wait_or_kill(child, control_sock)
    _kill_leftovers()
    if killed:
        report = "killed"
    elif os.WIFEXITED(status):
        report = f"exit {os.waitstatus_to_exitcode(status)}"
    else:
        report = f"signal {os.WTERMSIG(status)}"
    if control_sock is not None:
        try:
            control_sock.sendall(f"{report}\n".encode())
        except OSError:
            pass
    _libc.umount2(workdir.encode(), _MNT_DETACH)  # a no-op when it is no mount point
    shutil.rmtree(workdir, ignore_errors=True)


def _receive_fds(sock: socket.socket, count: int) -> Optional[list]:
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


def _kill_child(child: int) -> None:
    for kill in (lambda: os.killpg(child, signal.SIGKILL), lambda: os.kill(child, signal.SIGKILL)):
        try:
            kill()
        except OSError:
            pass


def _wait_or_kill(child: int, control: socket.socket) -> Tuple[int, bool]:
    """Wait for the child to end; a byte from the grader, or its hanging up, kills it first.
    Returns the wait status and whether we killed it. (No threads here: a process that
    unshared its pid namespace cannot start one.)"""
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
    return os.waitpid(child, 0)[1], killed


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


def _children() -> list:
    pids = []
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
        if root and _libc.unshare(flags) == 0:
            return layers
        if not root and _libc.unshare(_CLONE_NEWUSER | flags) == 0:
            uid, gid = os.getuid(), os.getgid()
            for path, text in (("setgroups", "deny"), ("uid_map", f"{uid} {uid} 1"), ("gid_map", f"{gid} {gid} 1")):
                with open(f"/proc/self/{path}", "w") as handle:
                    handle.write(text)
            return ["userns"] + layers
    return []


def _mount_tmpfs(path: str, size_mb: int, uid: int, gid: int) -> bool:
    """A tmpfs of size_mb on path, seen only in this mount namespace: the child's files
    then count against a fixed size instead of filling the disk."""
    private = _libc.mount(None, b"/", None, ctypes.c_ulong(_MS_REC | _MS_PRIVATE), None) == 0
    options = f"size={size_mb}m,mode=0700,uid={uid},gid={gid}".encode()
    return private and _libc.mount(b"tmpfs", path.encode(), b"tmpfs", ctypes.c_ulong(_MS_NOSUID | _MS_NODEV), options) == 0


def _child(limits: Limits, user, workdir: str, handoff: socket.socket) -> None:
    """Lock this process down, then wait for the grader's channels and serve."""
    os.setsid()
    _keep_only_fds(0, 1, 2, handoff.fileno())  # 0, 1 and 2 are /dev/null until the channels come
    os.chdir(workdir)
    _scrub_environment(workdir)
    _set_rlimits(limits, user.pw_uid if user is not None else os.getuid())
    if user is not None:
        os.setgroups([])
        os.setgid(user.pw_gid)
        os.setuid(user.pw_uid)
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)  # after setuid, which clears it
    abi = landlock.restrict(read=_readable_paths(), write=[workdir], devices=[os.devnull, "/dev/urandom"])
    layers = ([f"landlock:abi{abi}"] if abi else []) + (["seccomp"] if syscalls.deny() else [])
    channels = _receive_fds(handoff, 2)
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
    sys.stdout = sys.__stdout__ = open(1, "w", encoding="utf-8", errors="backslashreplace", closefd=False)
    sys.stderr = sys.__stderr__ = open(2, "w", encoding="utf-8", errors="backslashreplace", closefd=False,
                                       buffering=1)
    sock = socket.socket(fileno=calls)
    protocol.send(sock, {"kind": "hello", "layers": layers})
    child_side.serve(sock, workdir)


def _keep_only_fds(*keep: int) -> None:
    top = resource.getrlimit(resource.RLIMIT_NOFILE)[0]
    top = 65536 if top == resource.RLIM_INFINITY or top > 65536 else top
    low = 0
    for fd in sorted(keep) + [top]:
        if low < fd:  # closerange(n, n) would close everything: it passes n - 1 on as unsigned
            os.closerange(low, fd)
        low = fd + 1


def _scrub_environment(home: str) -> None:
    """A minimal environment; and the grader's original command line and environment,
    which /proc/self/cmdline and /proc/self/environ read from this process's own
    memory, are overwritten there (clearing os.environ alone leaves them)."""
    os.environ.clear()
    os.environ.update({"PATH": "/usr/bin:/bin", "HOME": home, "TMPDIR": home, "LANG": "C.UTF-8",
                       "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"})
    tempfile.tempdir = home
    with open("/proc/self/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    arg_start, arg_end, env_start, env_end = (int(f) for f in fields[45:49])
    for start, end in ((arg_start, arg_end), (env_start, env_end)):
        if 0 < start < end:
            ctypes.memset(start, 0, end - start)


def _set_rlimits(limits: Limits, uid: int) -> None:
    mapped = _vm_size_bytes()
    mb = 1024 * 1024
    for which, soft in ((resource.RLIMIT_AS, mapped + limits.memory_mb * mb),
                        (resource.RLIMIT_CPU, limits.cpu_s),
                        (resource.RLIMIT_NPROC, _tasks_of(uid) + limits.processes),
                        (resource.RLIMIT_FSIZE, limits.file_size_mb * mb),
                        (resource.RLIMIT_NOFILE, limits.open_files),
                        (resource.RLIMIT_CORE, 0)):
        _, ceiling = resource.getrlimit(which)
        if ceiling != resource.RLIM_INFINITY:
            soft = min(soft, ceiling - 1 if which == resource.RLIMIT_CPU else ceiling)
        hard = soft + 1 if which == resource.RLIMIT_CPU else soft  # SIGXCPU first, then SIGKILL
        resource.setrlimit(which, (soft, hard))


def _vm_size_bytes() -> int:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmSize:"):
                return int(line.split()[1]) * 1024
    raise OSError("no VmSize in /proc/self/status")


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


def _readable_paths() -> list:
    """The Python installation and system libraries, but never the grader's own tree."""
    project = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    candidates = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix, *sys.path,
                  "/usr", "/lib", "/lib64", "/etc/ld.so.cache", "/proc/self"}
    paths = []
    for path in candidates:
        real = os.path.realpath(path) if path else ""
        inside_project = real == project or real.startswith(project + os.sep)
        inside_venv = real.startswith(os.path.realpath(sys.prefix) + os.sep) or real == os.path.realpath(sys.prefix)
        if real and os.path.exists(real) and (not inside_project or inside_venv):
            paths.append(real)
    return sorted(paths)


def sandbox_user():
    """The unprivileged user a root grader runs children as; None when the grader is not root."""
    if os.geteuid() != 0:
        return None
    for name in SANDBOX_USERS:
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise LookupError(f"running as root but none of the users {SANDBOX_USERS} exists")


def _prctl(option: int, value: int) -> None:
    _libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))
