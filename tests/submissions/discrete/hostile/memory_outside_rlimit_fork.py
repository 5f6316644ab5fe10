"""Hostile: hold more memory than the budget by spreading it over forked processes.

Tries: RLIMIT_AS limits each process's address space, not the tree's. Fork
three helpers that each allocate and touch 150 MB (each well under its own
limit) and keep it while the grading goes on: 450 MB in total, more than the
child's whole budget (320 MB), without any single process failing. With 32
processes allowed this scales to ~10 GB and takes down a 768 MB container.
Must happen: the sandbox tree cannot hold more than its memory budget: at
most one helper may succeed; the output must not say "HELD 450 MB".
"""
import os
import select
import time

BAKED = {}
HELPERS = BAKED.get("helpers", 3)
MB = BAKED.get("mb", 150)


def _hold():
    ready, done = os.pipe()
    for _ in range(HELPERS):
        try:
            pid = os.fork()
        except OSError:
            break
        if pid == 0:
            try:
                block = bytearray(MB * 1024 * 1024)
                for offset in range(0, len(block), 4096):
                    block[offset] = 1
                os.write(done, b"1")
                time.sleep(600)
            finally:
                os._exit(0)
    os.close(done)
    held, deadline = 0, time.monotonic() + 6
    while held < HELPERS and time.monotonic() < deadline:
        if select.select([ready], [], [], 0.2)[0]:
            data = os.read(ready, 64)
            if not data:
                break
            held += len(data)
    return held


_held = _hold()
print(f"HELD {_held * MB} MB in {_held} helper processes (budget of the child: 320 MB)")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
