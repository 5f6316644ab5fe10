"""Hostile: pin memory in System V shared memory that outlives the grader.

Tries: a shared-memory segment lives in the kernel until someone removes it
(IPC_RMID), not until its creator exits, and once detached it is in no address
space: RLIMIT_AS never sees it, the monitor's clean-up does not know it, and it
stays allocated after the child, the grader and the grading job are gone. At
import it makes SEGMENTS segments of MB megabytes, writes every page (so the
memory is really taken), detaches and leaves them: a gigabyte by default.
Must happen: nothing survives: `ipcs -m` on the machine lists the same segments
after the grade as before; shmget fails (seccomp) or the segments die with the
child's own IPC namespace; the score of the zero-loss twin.
"""
import ctypes
import os

BAKED = {}
SEGMENTS = BAKED.get("segments", 16)
MB = BAKED.get("mb", 64)
IPC_PRIVATE, IPC_CREAT = 0, 0o1000
_libc = ctypes.CDLL(None, use_errno=True)
_libc.shmat.restype = ctypes.c_void_p
_libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
_libc.shmdt.argtypes = [ctypes.c_void_p]

_made = []
for _ in range(SEGMENTS):
    shmid = _libc.shmget(IPC_PRIVATE, MB << 20, IPC_CREAT | 0o600)
    if shmid < 0:
        print(f"shmget: {os.strerror(ctypes.get_errno())}")
        break
    address = _libc.shmat(shmid, None, 0)
    if address is None or address == ctypes.c_void_p(-1).value:
        print(f"shmat: {os.strerror(ctypes.get_errno())}")
        break
    ctypes.memset(address, 1, MB << 20)
    _libc.shmdt(address)  # detached and never removed: outside every address space from now on
    _made.append(shmid)
print(f"PINNED {len(_made) * MB} MB in {len(_made)} segments: {_made}")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
