"""Hostile: forge a full-marks results.json everywhere a grader might read it, then sys.exit(0) at import.

Tries: writes {"score": 1e9, ...} as results.json into its working directory,
$HOME, the parent of its working directory, /tmp, /autograder/results, next to
the grader (found through grader.__file__) and into any directory baked into
BAKED["dirs"] by the test; then exits with status 0 while being imported,
hoping the grader takes "exit 0" for success or picks up a forged file.
Must happen: score 0 with a message naming sys.exit; none of the files outside
the child's own temp dir exists afterwards; the results are the grader's own.
"""
import json
import os
import sys

BAKED = {}

FAKE = {"score": 1e9, "hostile": True, "output": "All checks passed.",
        "tests": [{"name": "everything", "score": 1e9, "max_score": 1e9, "status": "passed"}]}


def _targets():
    dirs = [os.getcwd(), os.environ.get("HOME", ""), os.path.dirname(os.getcwd()), "/tmp",
            "/autograder/results", "/autograder"]
    grader = sys.modules.get("grader")
    if grader is not None and getattr(grader, "__file__", None):
        package = os.path.dirname(os.path.abspath(grader.__file__))
        dirs += [package, os.path.dirname(package)]
    dirs += list(BAKED.get("dirs", ()))
    return [d for d in dict.fromkeys(dirs) if d]


for directory in _targets():
    path = os.path.join(directory, "results.json")
    try:
        with open(path, "w") as handle:
            json.dump(FAKE, handle)
        print(f"wrote {path}")
    except OSError as exc:
        print(f"denied {path}: {exc.strerror}")

sys.exit(0)


def pseudo_loss(logits, actions, q_values):  # never reached
    return logits.sum() * 0
