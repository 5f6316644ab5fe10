"""Hostile: hold memory that RLIMIT_AS does not count, in memfd files.

Tries: pages written into an anonymous memory file (os.memfd_create) live in
RAM but are not part of the address space unless mapped, so RLIMIT_AS never
sees them; RLIMIT_FSIZE caps each file at 16 MB, but 30 files are allowed by
the open-files limit: 480 MB held, beyond the 320 MB budget.
Must happen: the child cannot hold more than its memory budget; the output
must not say "MEMFD HELD 480 MB".
"""
import os

BAKED = {}
FILES = BAKED.get("files", 30)
_fds = []
_held = 0
try:
    for number in range(FILES):
        fd = os.memfd_create(f"hoard{number}")
        chunk = b"x" * (1024 * 1024)
        for _ in range(16):
            os.write(fd, chunk)
        _fds.append(fd)
        _held += 16
except OSError as exc:
    print(f"stopped: {exc.strerror}")
print(f"MEMFD HELD {_held} MB in {len(_fds)} files (budget of the child: 320 MB)")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
