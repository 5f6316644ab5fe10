"""What a sandboxed session may use, and which user it runs as."""

from __future__ import annotations

import os
import pwd
from dataclasses import dataclass

SANDBOX_USERS = ("grader-sandbox", "nobody")  # the first that exists; setup.sh creates the first


@dataclass(frozen=True)
class Limits:
    """What one sandboxed session may use."""

    memory_mb: int = 320  # address space on top of what the child maps at birth (torch ~640 MB)
    cpu_s: int = 60  # CPU seconds for the whole session
    processes: int = 32  # tasks the sandbox user may add (RLIMIT_NPROC on top of its count)
    file_size_mb: int = 16  # largest file the child may write
    disk_mb: int = 32  # all files together: the temp dir is a tmpfs of this size when namespaces allow
    open_files: int = 64
    start_timeout_s: float = 10.0  # from spawn to the child's hello
    import_timeout_s: float = 10.0  # executing the submission's module
    call_timeout_s: float = 5.0  # one call of the function, backward included
    budget_s: float = 120.0  # everything the submission's children may take, wall
    restarts: int = 2  # fresh children after a timeout or crash before giving up
    output_bytes: int = 8192  # of stdout/stderr kept: half from the start, half from the end


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
