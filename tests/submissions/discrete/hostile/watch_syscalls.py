"""Hostile: watch the filesystem with the kernel's own notification calls, made directly
through ctypes: inotify_init, inotify_init1, fanotify_init, and dnotify (fcntl F_NOTIFY on
a directory). Any of them would tell a child which shared files another child opens
(the read-only Python installation is the same inodes for every child). Prints what
each call returned; the loss is zero.

Expected: seccomp denies every one of them with EPERM; the zero twin's score.
"""

import ctypes
import errno
import os

import torch

libc = ctypes.CDLL(None, use_errno=True)
F_NOTIFY, DN_ACCESS, DN_MULTISHOT = 1026, 0x1, 0x80000000
FAN_CLASS_NOTIF, FAN_REPORT_FID = 0x0, 0x200  # unprivileged fanotify (Linux 5.13+) needs FAN_REPORT_FID


def _outcome(result: int) -> str:
    return "allowed" if result >= 0 else errno.errorcode.get(ctypes.get_errno(), "?")


def _dnotify() -> str:
    folder = os.open(os.path.dirname(torch.__file__), os.O_RDONLY | os.O_DIRECTORY)
    try:
        return _outcome(libc.fcntl(folder, F_NOTIFY, ctypes.c_ulong(DN_ACCESS | DN_MULTISHOT)))
    finally:
        os.close(folder)


for name, attempt in (
    ("inotify_init", lambda: _outcome(libc.inotify_init())),
    ("inotify_init1", lambda: _outcome(libc.inotify_init1(0))),
    ("fanotify_init", lambda: _outcome(libc.fanotify_init(FAN_CLASS_NOTIF | FAN_REPORT_FID, os.O_RDONLY))),
    ("dnotify", _dnotify),
):
    try:
        print(f"WATCH {name}: {attempt()}")
    except OSError as exc:
        print(f"WATCH {name}: {type(exc).__name__}")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
