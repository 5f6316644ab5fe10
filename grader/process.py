"""Process plumbing the sandbox and the batch's workers share: libc, parent death, mapped memory."""

from __future__ import annotations

import ctypes
import signal

libc = ctypes.CDLL(None, use_errno=True)
_PR_SET_PDEATHSIG, _PR_SET_CHILD_SUBREAPER = 1, 36


def _prctl(option: int, value: int) -> None:
    libc.prctl(ctypes.c_int(option), ctypes.c_ulong(value), ctypes.c_ulong(0), ctypes.c_ulong(0), ctypes.c_ulong(0))


def die_with_parent() -> None:
    """SIGKILL this process when its parent dies (setuid clears it: call again after)."""
    _prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def become_subreaper() -> None:
    """Orphaned descendants are reparented here instead of to init, so they can be killed."""
    _prctl(_PR_SET_CHILD_SUBREAPER, 1)


def vm_size_bytes(field: str = "VmSize") -> int:
    """This process's mapped address space: what RLIMIT_AS counts (field "VmPeak": the most it
    has mapped, since it was forked)."""
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith(f"{field}:"):
                return int(line.split()[1]) * 1024
    raise OSError(f"no {field} in /proc/self/status")
