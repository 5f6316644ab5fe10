"""Hostile: smuggle the hidden cases out through System V shared memory.

Tries: hidden cases run in a second child whose output is discarded, but the
two children lived at the same time. Every child attaches the same fixed-key
shared-memory segment (shmget/shmat through ctypes); each call appends its
input's shape and first values to it and prints every line it finds there that
it did not write itself. The child whose output the student sees then prints
the hidden child's inputs: every hidden case, verbatim, with full marks.
Must happen: the segment is never shared (each child has its own IPC namespace,
seccomp denies the shm calls, and the hidden child starts only after the public
one has ended): no hidden case's line appears in results.json, and the score
is that of the same loss without the attack (the softmax twin).
"""
import ctypes
import os

import torch

KEY = 0x7EA5E0  # fixed: every child, public or hidden, asks for the same segment
SIZE = 1 << 20
IPC_CREAT = 0o1000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]


def _attach():
    shmid = _libc.shmget(KEY, SIZE, IPC_CREAT | 0o666)
    if shmid < 0:
        print(f"shmget: {os.strerror(ctypes.get_errno())}")
        return None
    address = _libc.shmat(shmid, None, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        print(f"shmat: {os.strerror(ctypes.get_errno())}")
        return None
    print(f"attached segment {shmid}")
    return (ctypes.c_char * SIZE).from_address(address)


_SEGMENT = _attach()
_MINE, _SHOWN = set(), set()


def pseudo_loss(logits, actions, q_values):
    n, a = logits.shape
    line = f"case N={n} A={a} first={float(logits[0, 0]):.6f} q0={float(q_values[0]):.6f}"
    if _SEGMENT is not None:
        text = _SEGMENT.raw.split(b"\0", 1)[0].decode()
        for seen in text.splitlines():
            if seen not in _MINE and seen not in _SHOWN:
                _SHOWN.add(seen)
                print(f"from the other child: {seen}")
        _MINE.add(line)
        data = (text + line + "\n").encode()[:SIZE - 1]
        ctypes.memmove(ctypes.addressof(_SEGMENT), data, len(data))
    return (torch.softmax(logits, dim=1) * q_values[:, None]).mean()
