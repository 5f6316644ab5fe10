"""A seccomp filter for the sandboxed child: the system calls a loss function never needs.

Each one closes a hole the other layers leave open: a child with no new
processes cannot hold memory outside its own RLIMIT_AS or fork-bomb the
machine; with no new sockets it cannot reach a Unix socket by path (Landlock
does not cover connecting to one); memfd files escape RLIMIT_AS; the rest are
ways to inspect or escape a process that a loss has no business with. Threads
stay allowed (clone with CLONE_THREAD), since libraries may start them.

Built on pyseccomp (a ctypes binding to the system's libseccomp). Where either
is missing the child runs without this layer and the grader says so.
"""
from __future__ import annotations

import errno

try:
    import pyseccomp as seccomp
except (ImportError, OSError):  # no binding, or no libseccomp.so.2 on this system
    seccomp = None

CLONE_THREAD = 0x00010000
DENIED = (
    "fork", "vfork", "socket", "socketpair", "memfd_create",
    "ptrace", "process_vm_readv", "process_vm_writev", "kcmp", "perf_event_open", "bpf", "userfaultfd",
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "personality",
    "keyctl", "add_key", "request_key", "io_uring_setup", "io_uring_enter", "io_uring_register",
)


def deny() -> bool:
    """Install the filter on this process for good; False when seccomp is unavailable."""
    if seccomp is None:
        return False
    try:
        rules = seccomp.SyscallFilter(defaction=seccomp.ALLOW)
        for name in DENIED:
            rules.add_rule(seccomp.ERRNO(errno.EPERM), name)
        # New processes are clone() without CLONE_THREAD; clone3 hides its flags in a struct
        # seccomp cannot read, so it reports "not implemented" and libc falls back to clone.
        rules.add_rule(seccomp.ERRNO(errno.EPERM), "clone", seccomp.Arg(0, seccomp.MASKED_EQ, CLONE_THREAD, 0))
        rules.add_rule(seccomp.ERRNO(errno.ENOSYS), "clone3")
        rules.load()
    except (OSError, RuntimeError, ValueError):
        return False
    return True
