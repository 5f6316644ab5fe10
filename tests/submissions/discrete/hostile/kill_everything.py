"""Hostile: on its first call, kill its parent, the grader and every process it can signal.

Tries, in order, each with SIGKILL: the pids baked into BAKED["pids"] by the
test (pytest itself and the zygote), the real parent found in
/proc/self/status, os.kill(-1) (everything this user may signal),
os.kill(os.getppid()) and finally os.killpg(0) (its own group), printing what each did.
Must happen: the grader and pytest survive (other uid, another pid namespace,
Landlock signal scoping); the child itself dies, so the score is 0 and the
grader goes on to grade the next submission normally.
"""
import os
import signal

BAKED = {}


def _kill(label, action):
    try:
        action()
        print(f"signalled {label}", flush=True)
    except OSError as exc:
        print(f"could not signal {label}: {exc.strerror}", flush=True)


def _host_parent():
    try:
        with open("/proc/self/status") as handle:
            for line in handle:
                if line.startswith("PPid:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def pseudo_loss(logits, actions, q_values):
    for pid in BAKED.get("pids", ()):
        _kill(f"baked pid {pid}", lambda pid=pid: os.kill(pid, signal.SIGKILL))
    parent = _host_parent()
    if parent > 1:
        _kill(f"host parent {parent}", lambda: os.kill(parent, signal.SIGKILL))
    _kill("everything (-1)", lambda: os.kill(-1, signal.SIGKILL))
    _kill(f"getppid() = {os.getppid()}", lambda: os.kill(os.getppid(), signal.SIGKILL))  # 0 in a pid namespace: own group
    _kill("own group", lambda: os.killpg(0, signal.SIGKILL))
    return (logits * 0.0).sum()
