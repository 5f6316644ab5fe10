"""Hostile, the other of the pair with `collude_sender.py`, graded beside it in a batch
(`--jobs 2`): for WATCH_S seconds at import, it watches every way it knows for what the
sender spells, then prints each thing it saw. Its loss is zero.

- inotify watches (open, access, create) on torch's headers folder, /tmp, /var/tmp,
  /dev/shm, its working directory's parent and /;
- dnotify (fcntl F_NOTIFY) on the headers folder, counting the signals;
- polling: listings of the same folders for `collude-` names, and the access and
  change times of every header.

Expected: nothing seen (inotify and dnotify denied by seccomp; the private root holds
no folder another child writes to; a read-only mount updates no access time); output
"WATCHER saw nothing"; the zero twin's score.
"""

import ctypes
import os
import signal
import struct
import time

import torch

BAKED = {}
WATCH_S = BAKED.get("watch_s", 5.0)
libc = ctypes.CDLL(None, use_errno=True)
HEADERS = os.path.join(os.path.dirname(torch.__file__), "include", "ATen", "ops")
FOLDERS = [HEADERS, "/tmp", "/var/tmp", "/dev/shm", os.path.dirname(os.getcwd()), "/"]
IN_ACCESS, IN_OPEN, IN_CREATE, IN_NONBLOCK = 0x1, 0x20, 0x100, 0x800
F_NOTIFY, DN_ACCESS, DN_CREATE, DN_MULTISHOT = 1026, 0x1, 0x4, 0x80000000
seen, channels, signals = [], {}, []


def _inotify() -> int:
    fd = libc.inotify_init1(IN_NONBLOCK)
    channels["inotify"] = "open" if fd >= 0 else f"errno {ctypes.get_errno()}"
    watched = sum(libc.inotify_add_watch(fd, f.encode(), IN_ACCESS | IN_OPEN | IN_CREATE) >= 0 for f in FOLDERS)
    channels["inotify watches"] = watched
    return fd


def _dnotify() -> None:
    signal.signal(signal.SIGIO, lambda *_: signals.append(1))
    try:
        folder = os.open(HEADERS, os.O_RDONLY | os.O_DIRECTORY)
    except OSError as exc:
        channels["dnotify"] = type(exc).__name__
        return
    result = libc.fcntl(folder, F_NOTIFY, ctypes.c_ulong(DN_ACCESS | DN_CREATE | DN_MULTISHOT))
    channels["dnotify"] = "on" if result == 0 else f"errno {ctypes.get_errno()}"


def _read_events(fd: int) -> None:
    try:
        data = os.read(fd, 65536)
    except OSError:
        return
    while len(data) >= 16:
        _, mask, _, size = struct.unpack("iIII", data[:16])
        name = data[16 : 16 + size].rstrip(b"\0").decode("utf-8", "replace")
        if name.startswith("collude-") or name.endswith(".h"):  # not its own listings of a folder
            seen.append(f"inotify {mask:#x} {name}")
        data = data[16 + size :]


def _listings() -> set:
    names = set()
    for folder in FOLDERS[1:]:
        try:
            names |= {f"{folder}/{n}" for n in os.listdir(folder) if n.startswith("collude-")}
        except OSError:
            pass
    return names


def _times() -> dict:
    try:
        return {n: os.stat(os.path.join(HEADERS, n))[7:] for n in os.listdir(HEADERS)}
    except OSError:
        return {}


fd = _inotify()
_dnotify()
before = _times()
channels["headers"] = len(before)
deadline = time.monotonic() + WATCH_S
while time.monotonic() < deadline:
    if fd >= 0:
        _read_events(fd)
    seen.extend(f"listed {name}" for name in sorted(_listings()) if f"listed {name}" not in seen)
    time.sleep(0.1)
now = _times()
seen.extend(f"times of {name} changed" for name in sorted(now) if before.get(name) != now[name])
seen.extend([f"{len(signals)} dnotify signals"] if signals else [])
print(f"WATCHER channels: {channels}")
for thing in seen[:20]:
    print(f"WATCHER SAW {thing}")
print("WATCHER saw nothing" if not seen else f"WATCHER saw {len(seen)} things")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
