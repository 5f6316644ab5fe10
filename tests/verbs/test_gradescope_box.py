"""A whole grade inside a box like Gradescope's default container: 768 MB of memory, half a CPU.

The box is a memory and cpu cgroup (v1, as on this kind of machine) around one
`python -m grader grade` (or `gradescope`) process tree. What must hold: a correct
submission gets full marks in reasonable time, a submission that allocates without
end is stopped by its own limit (score 0, a memory message), and an upload too
large for Python's parser to read in the box gets a results.json saying so, while
nothing in the box is killed by the kernel's out-of-memory killer.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import SUBMISSIONS
from submissions.discrete.careless import make

REPO = Path(__file__).resolve().parents[2]
CGROUP_V1 = Path("/sys/fs/cgroup")
MEMORY_BYTES = 768 * 1024 * 1024
CPU_QUOTA_US, CPU_PERIOD_US = 50_000, 100_000  # half a CPU


def _box():
    """Create the memory and cpu cgroups, or say why they can't be had here."""
    memory, cpu = CGROUP_V1 / "memory", CGROUP_V1 / "cpu"
    if not ((memory / "memory.limit_in_bytes").exists() and (cpu / "cpu.cfs_quota_us").exists()):
        pytest.skip("no cgroup v1 memory and cpu controllers on this machine")
    name = f"pseudoloss-box-{uuid.uuid4().hex[:8]}"
    try:
        (memory / name).mkdir()
        (cpu / name).mkdir()
    except OSError as exc:
        pytest.skip(f"cannot create cgroups here: {exc}")
    (memory / name / "memory.limit_in_bytes").write_text(str(MEMORY_BYTES))
    (cpu / name / "cpu.cfs_period_us").write_text(str(CPU_PERIOD_US))
    (cpu / name / "cpu.cfs_quota_us").write_text(str(CPU_QUOTA_US))
    return memory / name, cpu / name


@pytest.fixture
def box():
    memory, cpu = _box()
    yield memory, cpu
    for group in (memory, cpu):
        for pid in (group / "cgroup.procs").read_text().split():
            try:
                os.kill(int(pid), 9)
            except OSError:
                pass
        try:
            group.rmdir()
        except OSError:
            pass


def grade_in_box(box, submission: Path) -> tuple:
    return run_in_box(box, "grade", str(submission), "--json")


def run_in_box(box, *args: str) -> tuple:
    """`python -m grader ARGS` in the box: (the finished process, OOM kills, peak MB in the box)."""
    memory, cpu = box
    enter = f'echo $$ > {memory}/cgroup.procs && echo $$ > {cpu}/cgroup.procs && exec "$@"'
    finished = subprocess.run(
        ["sh", "-c", enter, "sh", sys.executable, "-m", "grader", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
    )
    oom_kills = int(dict(line.split() for line in (memory / "memory.oom_control").read_text().splitlines())["oom_kill"])
    peak_mb = int((memory / "memory.max_usage_in_bytes").read_text()) / 2**20
    return finished, oom_kills, peak_mb


@pytest.mark.slow
def test_correct_submission_gets_full_marks_in_the_box(box):
    finished, oom_kills, peak_mb = grade_in_box(box, SUBMISSIONS / "correct/cross_entropy_none.py")
    assert finished.returncode == 0, finished.stderr[-2000:]
    document = json.loads(finished.stdout)
    assert document["score"] == sum(test["max_score"] for test in document["tests"])
    assert oom_kills == 0
    assert peak_mb < 600


@pytest.mark.slow
def test_memory_hog_is_stopped_by_its_own_limit_not_by_the_kernel(box):
    finished, oom_kills, peak_mb = grade_in_box(box, SUBMISSIONS / "hostile/memory_torch_in_function.py")
    assert finished.returncode == 0, finished.stderr[-2000:]
    document = json.loads(finished.stdout)
    assert document["score"] == 0
    assert "ran out of memory" in json.dumps(document["tests"])
    assert "320 MB" in json.dumps(document["tests"])  # how much it was allowed
    assert oom_kills == 0, f"the kernel killed {oom_kills} process(es) in the box (peak {peak_mb:.0f} MB)"
    assert peak_mb < 768


@pytest.mark.slow
@pytest.mark.parametrize(
    "build, reasons",
    [
        (make.statements, ["`pseudo_loss.py` (1.0 MB) is too large for the grader to read"]),
        (
            make.many_cells,  # which runs out first, its memory or its time, depends on the machine
            [
                "`pseudo_loss.ipynb` (14.1 MB) is too large for the grader to read",
                "did not finish within 10 s, so it was not run (it was reading `pseudo_loss.ipynb`, 14.1 MB)",
            ],
        ),
    ],
    ids=["a_eq_1_megabyte", "notebook_of_120000_cells"],
)
def test_an_upload_too_large_to_read_gets_a_results_json_saying_so(box, tmp_path, build, reasons):
    """1 MB of `a=1;` takes Python's parser about 600 MB: parsed by the grader itself, it got the whole
    grade killed in this box, and no results.json was written."""
    (tmp_path / "submission").mkdir()
    (tmp_path / "results").mkdir()
    build(tmp_path / "submission" / ("pseudo_loss.ipynb" if build is make.many_cells else "pseudo_loss.py"))
    finished, oom_kills, peak_mb = run_in_box(box, "gradescope", "--root", str(tmp_path))
    assert finished.returncode == 0, finished.stderr[-2000:]
    document = json.loads((tmp_path / "results" / "results.json").read_text())
    assert document["score"] == 0 and document["extra_data"]["status"] == "not graded"
    said = document["output"]
    assert any(reason in said for reason in reasons), said
    assert oom_kills == 0, f"the kernel killed {oom_kills} process(es) in the box (peak {peak_mb:.0f} MB)"
    assert peak_mb < 768
