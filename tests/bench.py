"""`make bench`: how fast the grader is and whether it fits Gradescope's box. A benchmark, not a test.

    python tests/bench.py [--repeats 7] [--seeds 10] [--batch 32]

Prints one table: a warm full grade split into its phases, the same grade
in-process with no sandbox (the floor), diagnosis on a wrong submission, a cold
student check, batch throughput, the whole process tree's peak memory and CPU
time for a correct submission and a memory hog (also pinned to one core), and
the CartPole learning check's discrimination over seeds, and the Gaussian exercise's
InvertedPendulum calibration over 30 seeds (tests/bench_gaussian.py).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
from grader.sandbox.parent import Zygote  # noqa: E402  (the zygote forks before the reference is imported)

ZYGOTE = Zygote.start()

import bench_cartpole  # noqa: E402

from grader import rubric  # noqa: E402
from grader.checks import assessment as assess  # noqa: E402
from grader.checks.oracle import LocalOracle  # noqa: E402
from grader.learning.check import check_learning  # noqa: E402
from grader.verbs.grade import grade  # noqa: E402
from reference.pseudo_loss import pseudo_loss  # noqa: E402

SUBMISSIONS = ROOT / "tests" / "submissions"
CORRECT = SUBMISSIONS / "correct" / "cross_entropy_none.py"
WRONG = SUBMISSIONS / "mistakes" / "combo_sign_flipped_sum_reduction.py"
HOG = SUBMISSIONS / "hostile" / "memory_torch_in_function.py"
PYTHON = sys.executable
__test__ = False


def row(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<52} {value:>16}   {target}")


def median(values) -> float:
    return statistics.median(values)


def warm_grades(repeats: int) -> None:
    graded = rubric.load()
    grade(CORRECT, ZYGOTE, graded)  # first grade pays one-off costs (catalog fingerprints, lazy imports)
    walls, phases = [], {}
    for _ in range(repeats):
        start = time.perf_counter()
        document = grade(CORRECT, ZYGOTE, graded)
        walls.append(time.perf_counter() - start)
        for phase, seconds in document["extra_data"]["timing"].items():
            phases.setdefault(phase, []).append(seconds)
    floor = []
    for _ in range(repeats):
        start = time.perf_counter()
        oracle = LocalOracle(pseudo_loss)
        assess.assess(
            oracle,
            graded.cases,
            graded.weights,
            rubric.suspects,
            learn=lambda o: check_learning(o, graded.weights["learning"]),
        )
        floor.append(time.perf_counter() - start)
    diagnosis = [
        grade(WRONG, ZYGOTE, graded, learning=False)["extra_data"]["timing"]["diagnosis"] for _ in range(repeats)
    ]
    print(f"Full grade of a correct submission, warm zygote (median of {repeats})")
    for phase in ("load", "import", "checks", "learning"):
        row(f"  {phase}", f"{median(phases[phase]):.3f} s")
    row("total wall", f"{median(walls):.3f} s", "target ≤ 1.5 s")
    row("same grade in-process, no sandbox (floor)", f"{median(floor):.3f} s")
    row("sandbox overhead (ratio to the floor)", f"{median(walls) / median(floor):.2f}×", "target ≤ 1.3×")
    row("learning check alone", f"{median(phases['learning']):.3f} s", "target ≤ 1.0 s")
    row("diagnosis of a wrong submission", f"{median(diagnosis):.3f} s", "target ≤ 0.3 s")


def cold_check(repeats: int) -> None:
    walls = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run([PYTHON, "-m", "grader", "check", str(CORRECT)], cwd=ROOT, capture_output=True, check=True)
        walls.append(time.perf_counter() - start)
    print("Student")
    row("cold `python -m grader check` (torch import included)", f"{median(walls):.3f} s", "target ≤ 3 s")


def batch(entries: int) -> None:
    mixed = sorted((SUBMISSIONS / "correct").glob("*.py")) + sorted((SUBMISSIONS / "mistakes").glob("*.py"))
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "class"
        folder.mkdir()
        for i in range(entries):
            source = mixed[i % len(mixed)]
            shutil.copy(source, folder / f"student{i:03d}_{source.name}")
        start = time.perf_counter()
        subprocess.run(
            [PYTHON, "-m", "grader", "batch", str(folder), "--out", str(Path(scratch) / "out"), "--jobs", "2"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        )
        wall = time.perf_counter() - start
    print(f"Batch of {entries} mixed submissions (correct and wrong), --jobs 2")
    row("wall", f"{wall:.1f} s")
    row("throughput", f"{entries / wall * 60:.0f} / min", "target ≥ 120 / min")


class TreeSampler:
    """Peak of the summed PSS of a process and all its descendants, sampled every few ms."""

    def __init__(self, pid: int):
        self.pid, self.peak_mb, self._done = pid, 0.0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._done.is_set():
            self.peak_mb = max(self.peak_mb, sum(_pss_mb(p) for p in _tree(self.pid)))
            self._done.wait(0.005)

    def stop(self) -> float:
        self._done.set()
        self._thread.join()
        return self.peak_mb


def _tree(root: int) -> list:
    parents = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as handle:
                    parents[int(entry)] = int(handle.read().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                pass
    tree, frontier = [root], [root]
    while frontier:
        frontier = [pid for pid, parent in parents.items() if parent in frontier]
        tree += frontier
    return tree


def _pss_mb(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/smaps_rollup") as handle:
            for line in handle:
                if line.startswith("Pss:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def measured_grade(submission: Path, pin: bool = False):
    """(wall s, CPU s of the whole tree, peak tree PSS MB, score) of `python -m grader grade`."""
    command = (["taskset", "-c", "0"] if pin else []) + [PYTHON, "-m", "grader", "grade", str(submission), "--json"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sampler = TreeSampler(process.pid)
    out, _ = process.communicate()
    wall, peak = time.perf_counter() - start, sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    score = __import__("json").loads(out)["score"]
    return wall, cpu, peak, score


def gradescope_box() -> None:
    print("One full grade as Gradescope runs it (`python -m grader grade`, cold, whole process tree)")
    for label, submission in (("correct submission", CORRECT), ("memory hog, 32 MB steps", HOG)):
        wall, cpu, peak, score = measured_grade(submission)
        row(
            f"{label}: peak PSS of the tree",
            f"{peak:.0f} MB",
            "target ≤ 600 MB" if submission == CORRECT else "target ≤ 700 MB",
        )
        row(f"{label}: CPU seconds, user + system", f"{cpu:.2f} s", "target ≤ 5 s" if submission == CORRECT else "")
        row(f"{label}: wall / score", f"{wall:.2f} s / {score:g}")
    wall, cpu, _, score = measured_grade(CORRECT, pin=True)
    row("correct submission pinned to one core (taskset -c 0)", f"{wall:.2f} s", f"score {score:g}")


def discrimination(seeds: int) -> None:
    print(
        f"CartPole learning check over seeds 0..{seeds - 1}: the reference and six catalog mistakes "
        "(in-process, no sandbox)"
    )
    for line in bench_cartpole.summary_lines(bench_cartpole.rows(range(seeds), oracle_ms=0.0)):
        print(f"  {line}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--batch", type=int, default=32)
    args = parser.parse_args(argv)
    print(f"pseudo-loss grader benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}\n")
    for section in (
        lambda: warm_grades(args.repeats),
        lambda: cold_check(3),
        lambda: batch(args.batch),
        gradescope_box,
        lambda: discrimination(args.seeds),
        lambda: __import__("bench_gaussian").discrimination(30),  # the second exercise's calibration
    ):
        section()
        print()
    ZYGOTE.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
