"""Hostile: on its first call, forge results.json files claiming full marks, then os._exit(0).

Tries: the same forged results.json as fake_results_sys_exit.py, but written
from inside pseudo_loss; it also forks a daemon that keeps rewriting the
files for 30 s (to overwrite the real results.json after the grader wrote
it), and then leaves with os._exit(0), which skips every `finally` and
exception handler of the grader's child code, hoping the grader reads
"status 0" as success or never writes its own results.
Must happen: every call fails with "exited with status 0", score 0, the grader
goes on and builds its own results; the daemon dies with the child; no
forged file exists outside the child's temp dir afterwards.
"""
import json
import os
import sys
import time

BAKED = {}

FAKE = {"score": 1e9, "hostile": True, "tests": []}


def _targets():
    dirs = [os.getcwd(), os.path.dirname(os.getcwd()), "/tmp", "/autograder/results"]
    grader = sys.modules.get("grader")
    if grader is not None and getattr(grader, "__file__", None):
        package = os.path.dirname(os.path.abspath(grader.__file__))
        dirs += [package, os.path.dirname(package)]
    return list(dict.fromkeys(dirs + list(BAKED.get("dirs", ()))))


def _forge():
    for directory in _targets():
        try:
            with open(os.path.join(directory, "results.json"), "w") as handle:
                json.dump(FAKE, handle)
        except OSError:
            pass


def pseudo_loss(logits, actions, q_values):
    _forge()
    try:
        pid = os.fork()
    except OSError:  # a sandbox that forbids new processes: forge from here only
        pid = None
    if pid == 0:
        os.setsid()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            _forge()
            time.sleep(0.01)
        os._exit(0)
    os._exit(0)
