"""Hostile: fill the disk (or a tmpfs /tmp, i.e. RAM) from the child's own temp dir.

Tries: RLIMIT_FSIZE caps each file at 16 MB but not how many files there are:
write 30 files of 16 MB (480 MB) into the working directory, which the
sandbox allows. Looped, this fills the grader's disk; on a tmpfs /tmp it is
memory outside every limit.
Must happen: the child cannot write more than a bounded total (here: less
than its 320 MB memory budget); the output must not say "WROTE 480 MB".
"""
import os

BAKED = {}
FILES = BAKED.get("files", 30)
_written = 0
try:
    for number in range(FILES):
        with open(f"fill{number}.bin", "wb") as handle:
            chunk = b"x" * (1024 * 1024)
            for _ in range(16):
                handle.write(chunk)
        _written += 16
except OSError as exc:
    print(f"stopped: {exc.strerror}")
print(f"WROTE {_written} MB in {os.getcwd()}")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
