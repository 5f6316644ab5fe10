"""The child's world (issue 26): a filesystem of its own, no watching of shared files, and a
zygote that holds nothing of the grading run.

The private root is observed from inside a child (what exists for it); the notification calls
are tried by `watch_syscalls.py`; the zygote's cleanliness is proved through the real entry
point, `python -m grader grade` run as a subprocess, by `grader_snoop.py` looking for the class
folder, a classmate and the rubric's hidden cases everywhere a child can look (the batch's
side, and the colluding pair, are in tests/batch/test_batch_hostile.py).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import torch
from conftest import SUBMISSIONS
from snooping import snoop_findings, snoop_needles
from test_sandbox import report

from grader.sandbox import landlock

ROOT_USER = os.geteuid() == 0
REPO = Path(__file__).resolve().parents[2]
HOSTILE = SUBMISSIONS / "hostile"
CORRECT = SUBMISSIONS / "correct" / "log_softmax_gather.py"
ZERO = '"""Twin: a zero loss."""\n\n\ndef pseudo_loss(logits, actions, q_values):\n    return (logits * 0.0).sum()\n'


def test_the_child_sees_only_its_private_root(zygote, tmp_path):
    absent = [REPO / "grader", REPO / "reference", tmp_path, Path("/dev/shm"), Path("/var/tmp"), Path("/etc/passwd")]
    present = [Path(torch.__file__), Path(sys.executable), Path(os.devnull)]
    seen = report(
        zygote,
        f"{{'exists': {{p: os.path.exists(p) for p in {[str(p) for p in absent + present]!r}}}, "
        "'cwd': os.getcwd(), 'mounted_ro': os.statvfs('/').f_flag & 1, "
        "'proc': [p for p in ('/proc/self/stat', '/proc/2', '/proc/cpuinfo', '/proc/stat') if os.path.exists(p)]}",
    )
    assert seen["exists"] == {str(p): p in present for p in absent + present}
    assert seen["cwd"].startswith("/tmp/grader-child-")
    assert seen["proc"] == ["/proc/self/stat"]  # its own pid namespace, process ids only
    assert seen["mounted_ro"] == 1


def test_the_private_root_is_among_the_layers(grade):
    document = grade(CORRECT, learning=False)
    assert "privateroot" in document["extra_data"]["sandbox"]
    assert document["score"] == sum(test["max_score"] for test in document["tests"])


def test_watching_files_is_denied(grade, tmp_path):
    document = grade(HOSTILE / "watch_syscalls.py", learning=False)
    twin = tmp_path / "zero.py"
    twin.write_text(ZERO)
    printed = dict(re.findall(r"WATCH (\w+): (\w+)", document["output"]))
    assert printed == dict.fromkeys(["inotify_init", "inotify_init1", "fanotify_init", "dnotify"], "EPERM")
    assert document["score"] == grade(twin, learning=False)["score"]


def snoop_copy(folder: Path, name: str, **extra) -> Path:
    source = (HOSTILE / "grader_snoop.py").read_text()
    values = {**snoop_needles(folder, "classmate-" + folder.name[-8:] + ".py"), **extra}
    target = folder / name
    target.write_text(source.replace("BAKED = {}", f"BAKED = {values!r}"))
    return target


@pytest.mark.slow
def test_the_zygote_of_python_m_grader_holds_nothing_of_the_run(tmp_path):
    folder = tmp_path / f"class-{uuid.uuid4().hex[:12]}"
    folder.mkdir()
    (folder / f"classmate-{folder.name[-8:]}.py").write_text(CORRECT.read_text())
    snoop = snoop_copy(folder, "snoop.py")
    run = subprocess.run(
        [sys.executable, "-m", "grader", "grade", "--json", str(snoop)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "CLASS_FOLDER": str(folder)},  # in the grader's environment too
    )
    assert run.returncode == 0, run.stderr[-2000:]
    document = json.loads(run.stdout)
    shown = "\n".join([document["output"]] + [test["output"] for test in document["tests"]])
    assert "SNOOP probe" not in shown, shown
    assert snoop_findings(shown) == {"control"}, shown
    assert str(folder) not in shown and folder.name not in shown
    assert "privateroot" in document["extra_data"]["sandbox"]


# A kernel that refuses a step: the child keeps every other layer, and says which it lost.
REFUSED = """
import sys
from grader.sandbox import root
if sys.argv[1] == "build":
    root.build = lambda *args: False
else:
    root.enter = lambda staging: False
from grader.sandbox.parent import Zygote
from grader.sandbox.sandboxed import SandboxChild
zygote = Zygote.start()
from grader.course import rubric
code = (
    f"import os\\ntry:\\n    os.listdir({sys.argv[2]!r})\\n    grader = 'listed'\\nexcept OSError as exc:\\n"
    "    grader = type(exc).__name__\\nprint('FILES', os.listdir('.'), grader)\\n" + sys.argv[3]
)
child = SandboxChild(zygote, {"submission.py": code}, [rubric.exercise("discrete").parts[0].contract])
error, layers = child.import_submission()["pseudo_loss"], child.layers
child.close()  # its output is drained by a thread, which closing joins: read it after
print(error, layers, child.output.text(), flush=True)
zygote.close()
"""


@pytest.mark.parametrize("refused", ["build", "enter"])
def test_a_refused_private_root_keeps_the_other_layers(refused):
    loss = "def pseudo_loss(l, a, q):\n    return l.sum()\n"
    command = [sys.executable, "-c", REFUSED, refused, str(REPO / "grader"), loss]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.startswith("None ("), run.stdout  # loaded without an error
    assert "FILES [] " in run.stdout  # an empty working directory
    assert "privateroot" not in run.stdout and "'seccomp'" in run.stdout and "'tmpfs:32MB'" in run.stdout
    assert ("'landlock:abi" in run.stdout) == (landlock.abi_version() > 0)
    if landlock.abi_version() > 0:
        assert "FILES [] PermissionError" in run.stdout  # Landlock still keeps the grader out of reach
