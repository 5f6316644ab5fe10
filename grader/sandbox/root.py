"""The child's own filesystem: a private root that holds only what a loss needs.

The monitor, in its mount namespace (zygote.py), builds the root on its temp dir:
a small read-only tmpfs holding the Python installation and the system libraries
(``readable_paths``, what Landlock also allows) bind-mounted read-only at their own
paths, with the symbolic links that lead to them, /dev/null and /dev/urandom, an
empty /proc, and the working directory: a tmpfs of the session's disk size at the
same path as the temp dir outside. The child then moves into a mount namespace of
its own, mounts a /proc of its pid namespace there (pids only), pivots into the
root and detaches the old one. No path of the grader, the class folder, the
results or another child then exists for it; nothing it can list or stat is
written by anyone else, and reading through a read-only mount does not even
change a file's access time. What stays shared is the content of the read-only
files, whose inodes bind mounts share: watching them (inotify, fanotify,
dnotify) is seccomp's to deny.
"""

from __future__ import annotations

import ctypes
import os
import sys
from typing import List, Optional

from grader import process

_CLONE_NEWNS = 0x00020000
_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41}.get(os.uname().machine)
_MS_RDONLY, _MS_NOSUID, _MS_NODEV, _MS_NOEXEC = 0x1, 0x2, 0x4, 0x8
_MS_REMOUNT, _MS_BIND, _MS_REC, _MS_PRIVATE, _MNT_DETACH = 0x20, 0x1000, 0x4000, 0x40000, 0x2
DEVICES = (os.devnull, "/dev/urandom")
_SYSTEM = ("/usr", "/lib", "/lib64", "/etc/ld.so.cache")


def readable_paths() -> List[str]:
    """What the child may read: the Python installation (its prefixes, and the entries of
    sys.path inside them) and the system libraries; never the grader's own tree, nor the
    script's or the working directory that sys.path may also name. Each as Python names it
    (links included), for the root to mirror."""
    project = os.path.realpath(os.path.join(os.path.dirname(__file__), os.pardir, os.pardir))
    prefixes = {os.path.realpath(p) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix)}
    venv = os.path.realpath(sys.prefix)
    paths = set()
    for path in (*prefixes, *sys.path, *_SYSTEM):
        real = os.path.realpath(path) if path else ""
        installed = any(_beneath(real, where) for where in prefixes) or path in _SYSTEM
        if installed and os.path.exists(real) and (not _beneath(real, project) or _beneath(real, venv)):
            paths.add(os.path.abspath(path))
    return sorted(paths)


def _beneath(path: str, folder: str) -> bool:
    return path == folder or path.startswith(folder.rstrip(os.sep) + os.sep)


def build(staging: str, paths: List[str], workdir: str, disk_mb: int, uid: int, gid: int) -> bool:
    """In the monitor's mount namespace: the child's root on staging, as the module says.
    False, with nothing left mounted there, when the kernel refuses a step."""
    if not _mount(b"tmpfs", staging, b"tmpfs", _MS_NOSUID | _MS_NODEV, b"size=1m,mode=0755"):
        return False
    try:
        built = _populate(staging, paths, workdir, disk_mb, uid, gid)
    except OSError:
        built = False
    if not built:
        process.libc.umount2(staging.encode(), _MNT_DETACH)
    return built


def _populate(staging: str, paths: List[str], workdir: str, disk_mb: int, uid: int, gid: int) -> bool:
    reals = sorted({os.path.realpath(path) for path in paths})
    for real in reals:
        if not any(_beneath(real, other) and real != other for other in reals):  # one mount for /usr and all below
            _bind_read_only(real, staging + real)
    for path in paths:
        _mirror_links(path, staging)
    for device in DEVICES:
        _bind(device, staging + device)
    os.makedirs(staging + "/proc", exist_ok=True)
    inside = staging + workdir
    os.makedirs(inside, exist_ok=True)
    return work_tmpfs(inside, disk_mb, uid, gid) and _mount(
        None, staging, None, _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID | _MS_NODEV, None
    )


def work_tmpfs(path: str, disk_mb: int, uid: int, gid: int) -> bool:
    """The child's working directory: a tmpfs of disk_mb on path, its user's alone, so that its
    files count against a fixed size instead of filling the disk (inside the private root, or,
    where that could not be built, at the temp dir itself)."""
    options = f"size={disk_mb}m,mode=0700,uid={uid},gid={gid}".encode()
    return _mount(b"tmpfs", path, b"tmpfs", _MS_NOSUID | _MS_NODEV, options)


def enter(staging: str) -> bool:
    """In the child, still privileged: a mount namespace of its own (the monitor keeps its
    view, to clean up), a /proc of its pid namespace, then the root. False if refused."""
    if _PIVOT_ROOT is None or process.libc.unshare(_CLONE_NEWNS) != 0:
        return False
    # Only the process ids: no /proc/stat, /proc/loadavg or /proc/sys; kernels before 5.8 lack the option.
    for options in (b"subset=pid,hidepid=invisible", None):
        if _mount(b"proc", staging + "/proc", b"proc", _MS_NOSUID | _MS_NODEV | _MS_NOEXEC, options):
            break
    try:
        os.chdir(staging)
        if process.libc.syscall(ctypes.c_long(_PIVOT_ROOT), b".", b".") != 0:
            return False
        detached = process.libc.umount2(b".", _MNT_DETACH) == 0  # the old root, stacked under the new one
        os.chdir("/")
    except OSError:
        return False
    return detached


def _bind(source: str, target: str) -> bool:
    """source at target (created empty first: a directory for a directory, else a file)."""
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o644))
    return _mount(source.encode(), target, None, _MS_BIND | _MS_REC, None)


def _bind_read_only(source: str, target: str) -> None:
    """source at target, read-only: no child writes there, nor changes an access time by reading."""
    flags = _MS_REMOUNT | _MS_BIND | _MS_RDONLY | _MS_NOSUID
    if _bind(source, target) and not _mount(None, target, None, flags, None):
        # A mount a user namespace inherited keeps its flags (nodev, noexec...): ours come on top.
        _mount(None, target, None, flags | _locked_flags(target), None)


def _locked_flags(path: str) -> int:
    stat = os.statvfs(path)
    return (
        (_MS_NODEV if stat.f_flag & os.ST_NODEV else 0)
        | (_MS_NOEXEC if stat.f_flag & os.ST_NOEXEC else 0)
        | (_MS_RDONLY if stat.f_flag & os.ST_RDONLY else 0)
    )


def _mirror_links(path: str, staging: str, depth: int = 0) -> None:
    """Recreate under staging every symbolic link met on the way to path, so that the path
    Python uses (a venv behind a link, say) resolves inside as it does outside."""
    parts = [part for part in path.split("/") if part]
    for count in range(1, len(parts) + 1):
        prefix = "/" + "/".join(parts[:count])
        if os.path.islink(prefix) and depth < 8:
            target = os.readlink(prefix)
            inside = staging + os.path.join(os.path.realpath(os.path.dirname(prefix)), parts[count - 1])
            if not os.path.lexists(inside):
                os.makedirs(os.path.dirname(inside), exist_ok=True)
                os.symlink(target, inside)
            _mirror_links(os.path.join(os.path.dirname(prefix), target), staging, depth + 1)


def _mount(source: Optional[bytes], target: str, kind: Optional[bytes], flags: int, data: Optional[bytes]) -> bool:
    return process.libc.mount(source, target.encode(), kind, ctypes.c_ulong(flags), data) == 0
