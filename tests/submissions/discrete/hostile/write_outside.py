"""Hostile: write files outside its own temp dir, directly and through tricks.

Tries to create "hostile-write-*" files in: the grader's repository, its
grader/ and reference/ folders (found through grader.__file__), /tmp,
/var/tmp, /dev/shm, /autograder/results, and the directories the test bakes
into BAKED["dirs"] (world-writable, so only the sandbox can stop it); and,
through tricks, into /tmp: a symlink from its working directory, a hard link
and a rename out of it, a path through /proc/self/cwd/.., mkdir and mkfifo.
It prints "WROTE <path>" for every success and returns a wrong loss.
Must happen: every attempt is denied and no such file exists afterwards.
"""
import os
import sys

BAKED = {}


def _attempt(label, action):
    try:
        action()
        print(f"WROTE {label}")
    except OSError as exc:
        print(f"denied {label}: {exc.strerror}")


def _write(path):
    def action():
        with open(path, "w") as handle:
            handle.write("written by a hostile submission\n")
    return action


dirs = ["/tmp", "/var/tmp", "/dev/shm", "/autograder/results", "/autograder/source"] + list(BAKED.get("dirs", ()))
grader = sys.modules.get("grader")
if grader is not None and getattr(grader, "__file__", None):
    package = os.path.dirname(os.path.abspath(grader.__file__))
    repo = os.path.dirname(package)
    dirs += [package, repo, os.path.join(repo, "reference"), os.path.join(repo, "tests")]
for directory in dirs:
    _attempt(os.path.join(directory, "hostile-write-direct"), _write(os.path.join(directory, "hostile-write-direct")))

for directory in ["/tmp"] + list(BAKED.get("dirs", ())):
    target = os.path.join(directory, "hostile-write-symlink")
    try:
        os.symlink(target, "link-out")
    except OSError:
        pass
    _attempt(f"{target} via a symlink", _write("link-out"))
    try:
        os.unlink("link-out")
    except OSError:
        pass
    _write("inside.txt")()
    _attempt(os.path.join(directory, "hostile-write-hardlink"),
             lambda: os.link("inside.txt", os.path.join(directory, "hostile-write-hardlink")))
    _attempt(os.path.join(directory, "hostile-write-renamed"),
             lambda: os.rename("inside.txt", os.path.join(directory, "hostile-write-renamed")))
    _attempt(os.path.join(directory, "hostile-write-dir"), lambda: os.mkdir(os.path.join(directory, "hostile-write-dir")))
    _attempt(os.path.join(directory, "hostile-write-fifo"), lambda: os.mkfifo(os.path.join(directory, "hostile-write-fifo")))
_attempt("/tmp via /proc/self/cwd/..", _write("/proc/self/cwd/../hostile-write-proc"))
_attempt("../hostile-write-parent", _write("../hostile-write-parent"))


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
