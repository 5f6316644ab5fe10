"""Landlock for the sandboxed child: filesystem, TCP and signal/socket scoping.

Written on ctypes rather than on the PyPI ``landlock`` binding because that
binding (1.0.0.dev5, a pre-release) covers filesystem rules only; the child also
needs Landlock's TCP rules (ABI 4) and scoping of signals and abstract Unix
sockets (ABI 6), which keep it from reaching the grader through either.
Everything here degrades to "not available" on kernels without Landlock.
"""

from __future__ import annotations

import ctypes
import os
from typing import Iterable, Optional

_CREATE_RULESET, _ADD_RULE, _RESTRICT_SELF = 444, 445, 446  # same numbers on every architecture
_VERSION_FLAG = 1
_RULE_PATH_BENEATH = 1
_PR_SET_NO_NEW_PRIVS = 38

# Filesystem access rights, by the ABI version that introduced them.
EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_DIR_ONLY = sum(1 << bit for bit in range(4, 13))  # remove/make dir, file, char, sock, fifo, block, sym
REFER, TRUNCATE, IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
READ = EXECUTE | READ_FILE | READ_DIR
_NET_ALL = 0b11  # bind and connect TCP (ABI 4)
_SCOPE_ALL = 0b11  # abstract Unix sockets and signals (ABI 6)

_libc = ctypes.CDLL(None, use_errno=True)
_libc.syscall.restype = ctypes.c_long


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("fs", ctypes.c_uint64), ("net", ctypes.c_uint64), ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi_version() -> int:
    """The kernel's Landlock ABI version, or 0 when Landlock is missing or disabled."""
    version = _libc.syscall(_CREATE_RULESET, None, ctypes.c_size_t(0), ctypes.c_uint32(_VERSION_FLAG))
    return max(int(version), 0)


def _all_fs(abi: int) -> int:
    rights = READ | WRITE_FILE | _DIR_ONLY
    for needed, right in ((2, REFER), (3, TRUNCATE), (5, IOCTL_DEV)):
        if abi >= needed:
            rights |= right
    return rights


def restrict(read: Iterable[str], write: Iterable[str], devices: Iterable[str] = ()) -> Optional[int]:
    """Restrict this process for good: read-only beneath `read`, full access beneath
    `write`, read/write on the device files `devices`, no TCP, no signals or abstract
    sockets outside the sandbox. Returns the ABI version used, or None if unavailable."""
    abi = abi_version()
    if abi < 1:
        return None
    fs = _all_fs(abi)
    attr = _RulesetAttr(fs, _NET_ALL if abi >= 4 else 0, _SCOPE_ALL if abi >= 6 else 0)
    size = 8 if abi < 4 else (16 if abi < 6 else 24)
    ruleset = _syscall(_CREATE_RULESET, ctypes.byref(attr), ctypes.c_size_t(size), ctypes.c_uint32(0))
    try:
        file_rights = READ_FILE | WRITE_FILE | (TRUNCATE if abi >= 3 else 0) | (IOCTL_DEV if abi >= 5 else 0)
        for paths, rights in ((read, READ), (write, fs), (devices, file_rights)):
            for path in paths:
                _allow(ruleset, path, rights)
        _syscall_libc("prctl", _PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
        _syscall(_RESTRICT_SELF, ctypes.c_int(ruleset), ctypes.c_uint32(0))
    finally:
        os.close(ruleset)
    return abi


def _allow(ruleset: int, path: str, rights: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return  # a path that does not exist needs no rule
    try:
        if not os.path.isdir(path):
            rights &= READ_FILE | WRITE_FILE | EXECUTE | TRUNCATE | IOCTL_DEV
        rule = _PathBeneath(rights, fd)
        _syscall(
            _ADD_RULE, ctypes.c_int(ruleset), ctypes.c_int(_RULE_PATH_BENEATH), ctypes.byref(rule), ctypes.c_uint32(0)
        )
    finally:
        os.close(fd)


def _syscall(number: int, *args) -> int:
    result = _libc.syscall(ctypes.c_long(number), *args)
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"landlock syscall {number}: {os.strerror(err)}")
    return int(result)


def _syscall_libc(name: str, *args) -> int:
    result = getattr(_libc, name)(*[ctypes.c_ulong(a) for a in args])
    if result < 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{name}: {os.strerror(err)}")
    return int(result)
