"""`make bench`: how fast the grader is, against the physical floor, and whether it fits Gradescope's box.

    python tests/bench.py [--repeats 7] [--seeds 30] [--batch 30]

A benchmark, not a test. Absolute times move between machines and with the
load, so each speed target is a ratio to something measured in the same run:

1. the learning check of a correct submission against the env floor: gymnasium's
   96-wide vector CartPole-v1 stepping random actions, per env step inside an
   episode, times the env steps the check simulated (extra_data.learning.runs);
2. a cold `python -m grader check` against a cold `python -c "import torch"`;
3. a batch of distinct correct submissions at --jobs 2: parallel efficiency (the
   entries' execution_time summed, over 2 x wall) and throughput;
4. a wrong submission's grade and a whole cold grade's memory and CPU time.

Last, each exercise's learning-check calibration: the reference and the catalogued
mistakes over seeds 0..N-1 (in-process, no sandbox; bench_cartpole.py, bench_gaussian.py).
"""

from __future__ import annotations

import argparse
import importlib
import json
import os
import resource
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
import bench_gaussian  # noqa: E402
import gymnasium as gym  # noqa: E402
import numpy as np  # noqa: E402

from grader.course import registry, rubric  # noqa: E402
from grader.verbs.grade import grade_submission  # noqa: E402

SUBMISSIONS = ROOT / "tests" / "submissions" / "discrete"
CORRECT = SUBMISSIONS / "correct" / "cross_entropy_none.py"
WRONG = SUBMISSIONS / "mistakes" / "combo_sign_flipped_sum_reduction.py"
HOG = SUBMISSIONS / "hostile" / "memory_torch_in_function.py"
CORPORA = SUBMISSIONS.parent  # one corpus per exercise
PYTHON = sys.executable
__test__ = False


def row(label: str, value: str, target: str = "") -> None:
    print(f"  {label:<58} {value:>18}   {target}")


def median(values) -> float:
    return statistics.median(values)


def env_floor(repeats: int = 5, steps: int = 2000) -> float:
    """Seconds per env step inside an episode of gymnasium's 96-wide CartPoleVectorEnv stepping
    random actions (the median of `repeats` runs): what the environment alone costs."""
    env = gym.make_vec("CartPole-v1", num_envs=96, vectorization_mode="vector_entry_point")
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    per_step = []
    for _ in range(repeats):
        inside, start = 0.0, time.perf_counter()
        for _ in range(steps):
            # A copy's auto-reset step earns no reward: the reward counts the steps inside episodes.
            inside += env.step(rng.integers(0, 2, 96))[1].sum()
        per_step.append((time.perf_counter() - start) / inside)
    env.close()
    return median(per_step)


def warm_grades(repeats: int) -> None:
    graded = rubric.load_rubric("discrete")
    grade_submission(CORRECT, ZYGOTE, graded)  # the first grade pays one-off costs (catalog fingerprints, lazy imports)
    walls, phases, steps = [], {}, set()
    for _ in range(repeats):
        start = time.perf_counter()
        document = grade_submission(CORRECT, ZYGOTE, graded)
        walls.append(time.perf_counter() - start)
        for phase, seconds in document["extra_data"]["timing"].items():
            phases.setdefault(phase, []).append(seconds)
        steps.add(sum(run["env_steps"] for run in document["extra_data"]["learning"]["runs"]))
    assert len(steps) == 1, f"the learning check is not deterministic: {steps}"
    env_steps, floor = steps.pop(), env_floor()
    learning = median(phases["learning"])
    wrong = [grade_submission(WRONG, ZYGOTE, graded) for _ in range(repeats)]
    print(f"Full grade of a correct submission, warm zygote (median of {repeats})")
    for phase in ("load", "import", "checks", "diagnosis", "learning", "hidden"):
        if phase in phases:
            row(f"  {phase}", f"{median(phases[phase]):.3f} s")
    row("total wall", f"{median(walls):.3f} s")
    row("env floor: 96-wide CartPole-v1, random actions, per env step", f"{floor * 1e6:.2f} µs")
    row(f"learning check: {env_steps} env steps, floor for them", f"{floor * env_steps:.3f} s")
    row("learning check / floor", f"{learning / (floor * env_steps):.2f}×", "target ≤ 4×")
    print(f"A wrong submission ({WRONG.name}), same grade (median of {repeats})")
    row("diagnosis", f"{median(d['extra_data']['timing']['diagnosis'] for d in wrong):.3f} s")
    row("learning check", f"{median(d['extra_data']['timing']['learning'] for d in wrong):.3f} s")
    row("total wall", f"{median(d['execution_time'] for d in wrong):.3f} s")


def every_exercise(repeats: int = 3) -> None:
    """Each exercise of the registry, graded warm on the first correct file of its corpus."""
    print(f"Every exercise of assignment/exercises.json: its corpus's first correct file, warm (median of {repeats})")
    walls = {}
    for name, path in first_correct().items():
        graded = rubric.load_rubric(name)
        grade_submission(path, ZYGOTE, graded)
        documents = [grade_submission(path, ZYGOTE, graded) for _ in range(repeats)]
        learning = [d["extra_data"]["timing"].get("learning") for d in documents]
        if all(seconds is not None for seconds in learning):
            row(f"{name}: learning check", f"{median(learning):.3f} s")
        wall = walls[name] = median(d["execution_time"] for d in documents)
        row(f"{name}: total wall ({path.name}, score {documents[0]['score']:g})", f"{wall:.3f} s", "target ≤ 3 s")
    if "reinforce" in walls:  # the whole homework against its loss alone
        row("reinforce / discrete", f"{walls['reinforce'] / walls['discrete']:.2f}×", "target ≤ 1.5×")


def first_correct() -> dict:
    """Exercise name -> the first correct file of its corpus (tests/submissions/NAME/corpus.py)."""
    manifests = {name: importlib.import_module(f"submissions.{name}.corpus") for name in registry.names()}
    return {name: CORPORA / name / manifest.CORRECT[0] for name, manifest in manifests.items()}


def cold_check(repeats: int) -> None:
    def cold(command) -> float:
        walls = []
        for _ in range(repeats):
            start = time.perf_counter()
            subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
            walls.append(time.perf_counter() - start)
        return median(walls)

    torch_s = cold([PYTHON, "-c", "import torch"])
    check_s = cold([PYTHON, "-m", "grader", "check", str(CORRECT)])
    print(f"Student, cold processes (median of {repeats})")
    row('`python -c "import torch"`', f"{torch_s:.3f} s")
    row("`python -m grader check` (learning check included)", f"{check_s:.3f} s")
    row("check - import torch", f"{check_s - torch_s:.3f} s", "target ≤ 1.0 s")


def batch(entries: int) -> None:
    """Distinct correct submissions: the corpus's correct variants in turn, each file with its own
    comment line, so no two have the same content and no cache can answer for another. Left out:
    the forms whose seconds are the student's code's own (a Python loop over 4096 rows, and
    torch.compile at work in the child: 6 to 20 s each), which would measure them, not the grader."""
    slow = ("row_loop", "torch_compile_decorator", "torch_compile_wrapped")
    correct = sorted(path for path in (SUBMISSIONS / "correct").glob("*.py") if path.stem not in slow)
    with tempfile.TemporaryDirectory() as scratch:
        folder, out = Path(scratch) / "class", Path(scratch) / "out"
        folder.mkdir()
        for i in range(entries):
            source = correct[i % len(correct)]
            (folder / f"student{i:03d}_{source.name}").write_text(f"# student {i}\n{source.read_text()}")
        start = time.perf_counter()
        command = [PYTHON, "-m", "grader", "batch", str(folder), "--out", str(out), "--jobs", "2"]
        subprocess.run(command, cwd=ROOT, capture_output=True, check=True)
        wall = time.perf_counter() - start
        files = list((out / "results").glob("*.json"))
        documents = [json.loads(path.read_text()) for path in files]
        # Each result is written as its entry ends: the grading itself spans from the first
        # entry's start to the last one's end; the rest of the wall is start-up and the report.
        ends = [path.stat().st_mtime for path in files]
        window = max(ends) - min(end - document["execution_time"] for end, document in zip(ends, documents))
    busy = sum(document["execution_time"] for document in documents)
    full = sum(document["score"] == 100 for document in documents)
    print(f"Batch of {entries} distinct correct submissions, --jobs 2 ({full} with full marks)")
    row("wall", f"{wall:.1f} s")
    row("throughput", f"{entries / wall * 60:.0f} / min", "target ≥ 150 / min")
    row("parallel efficiency: sum of execution_time / (2 × wall)", f"{busy / (2 * wall):.2f}", "target ≥ 0.85")
    row(
        "the same over the grading (first start to last end)",
        f"{busy / (2 * window):.2f}",
        f"{window:.1f} s of grading",
    )


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


def measured_grade(submission: Path, pin: bool = False, exercise: str = "discrete"):
    """(wall s, CPU s of the whole tree, peak tree PSS MB, score) of `python -m grader grade`."""
    grade = [PYTHON, "-m", "grader", "grade", "--exercise", exercise, str(submission), "--json"]
    command = (["taskset", "-c", "0"] if pin else []) + grade
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    sampler = TreeSampler(process.pid)
    out, _ = process.communicate()
    wall, peak = time.perf_counter() - start, sampler.stop()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, peak, json.loads(out)["score"]


def gradescope_box() -> None:
    print("One full grade as Gradescope runs it (`python -m grader grade`, cold, whole process tree)")
    for label, submission, exercise in (
        ("memory hog, 32 MB steps", HOG, "discrete"),
        *((f"{name}, correct submission", path, name) for name, path in first_correct().items()),
        (
            "returns, scipy.signal.lfilter (preloaded)",
            CORPORA / "returns/correct/lfilter_discount_cumsum.py",
            "returns",
        ),
    ):
        wall, cpu, peak, score = measured_grade(submission, exercise=exercise)
        correct = submission != HOG
        row(f"{label}: peak PSS of the tree", f"{peak:.0f} MB", "target ≤ 600 MB" if correct else "target ≤ 700 MB")
        row(f"{label}: CPU seconds, user + system", f"{cpu:.2f} s", "target ≤ 5 s" if correct else "")
        row(f"{label}: wall / score", f"{wall:.2f} s / {score:g}")
    wall, cpu, _, score = measured_grade(CORRECT, pin=True)
    row("correct submission pinned to one core (taskset -c 0)", f"{wall:.2f} s", f"score {score:g}")


def discrimination(seeds: int) -> None:
    print(
        f"CartPole learning check over seeds 0..{seeds - 1}, all in lock-step: the reference and every "
        "catalogued mistake (in-process, no sandbox)"
    )
    start = time.perf_counter()
    for line in bench_cartpole.summary_lines(bench_cartpole.rows(range(seeds))):
        print(f"  {line}")
    print(f"  ({time.perf_counter() - start:.0f} s)")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--seeds", type=int, default=30)
    parser.add_argument("--batch", type=int, default=30)
    args = parser.parse_args(argv)
    load = os.getloadavg()[0]
    print(
        f"pseudo-loss grader benchmark, {os.cpu_count()} cores, Python {sys.version.split()[0]}, "
        f"{time.strftime('%Y-%m-%d %H:%M')}, load average {load:.2f} at the start\n"
    )
    for section in (
        lambda: warm_grades(args.repeats),
        every_exercise,
        lambda: cold_check(3),
        lambda: batch(args.batch),
        gradescope_box,
        lambda: discrimination(args.seeds),
        lambda: bench_gaussian.discrimination(args.seeds),
    ):
        section()
        print()
    print(f"load average {os.getloadavg()[0]:.2f} at the end")
    ZYGOTE.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
