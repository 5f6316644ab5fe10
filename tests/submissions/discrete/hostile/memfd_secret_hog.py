"""Hostile: hold memory that RLIMIT_AS does not count, in secret memory files.

Tries: memfd_secret (Linux 5.14; syscall 447 on x86_64 and arm64, no Python
wrapper, so through ctypes) makes an anonymous file like memfd_create's, whose
pages stay in RAM but in no address space once unmapped: RLIMIT_AS never sees
them. RLIMIT_FSIZE caps each file at 16 MB, so it makes 50 of them (the
open-files limit allows 64); each is mapped 4 MB at a time (secret memory
counts against RLIMIT_MEMLOCK only while mapped), written and unmapped: 800 MB
held, beyond the 320 MB budget, with memfd_create denied.
Must happen: memfd_secret is denied (seccomp) and the child holds no more than
its budget: the output must not claim more than 320 MB ("SECRET HELD n MB").
"""
import ctypes
import mmap
import os

BAKED = {}
FILES = BAKED.get("files", 50)
FILE_MB = 16
MEMFD_SECRET = 447
CHUNK = 4 << 20
_libc = ctypes.CDLL(None, use_errno=True)
_fds = []
_held = 0
try:
    for _ in range(FILES):
        fd = _libc.syscall(MEMFD_SECRET, 0)
        if fd < 0:
            raise OSError(ctypes.get_errno(), os.strerror(ctypes.get_errno()))
        _fds.append(fd)
        os.ftruncate(fd, FILE_MB << 20)
        for offset in range(0, FILE_MB << 20, CHUNK):
            with mmap.mmap(fd, CHUNK, offset=offset) as chunk:
                chunk.write(b"x" * CHUNK)
            _held += CHUNK >> 20
except (OSError, ValueError) as exc:
    print(f"stopped: {exc}")
print(f"SECRET HELD {_held} MB in {len(_fds)} files (budget of the child: 320 MB)")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
