"""Hostile submissions (tests/submissions/discrete/hostile/): each attack, graded for real, and what must happen.

Every test grades one attacker through the same path as the CLI (the `grade`
fixture: load -> sandboxed oracle -> checks -> results.json), then checks the
outcome a course would want: the score the numbers deserve (0, full marks, or
exactly what a benign "twin" with the same loss scores), a message that says
what happened, a results.json that is JSON and under 1 MB, no process of the
sandbox left behind, nothing written where it must not be, and a grader that
still grades a correct submission right afterwards.

Twins are graded with the same limits, so no total is hard-coded: a check added
to the rubric changes both sides. Most tests grade without the CartPole check
(learning=False) to stay fast; `test_with_learning_check` runs a few attacks
through the whole pipeline. Attacks that hang use short timeouts (`HANG`).

Some tests here fail on purpose: they show weaknesses that are not fixed yet
(see tests/submissions/discrete/hostile/README.md, "Known weaknesses").
"""

from __future__ import annotations

import inspect
import json
import os
import pwd
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Dict, Iterable, List, Optional, Set, Tuple

import pytest
from conftest import SUBMISSIONS, scores

from grader.outputs import results
from grader.sandbox.limits import SANDBOX_USERS
from grader.sandbox.parent import Limits

HOSTILE = SUBMISSIONS / "hostile"
CORRECT = SUBMISSIONS / "correct" / "log_softmax_gather.py"
REPO = Path(__file__).resolve().parents[2]
MAX_DOCUMENT_BYTES = 1_000_000

HANG = Limits(call_timeout_s=1.0, import_timeout_s=2.0)  # for attacks that hang: a hang costs ~1 s
MEMORY_BUDGET_MB = Limits().memory_mb

ZERO_LOSS = '''"""Twin: a loss that is always zero but connected to logits."""


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
'''
SOFTMAX_LOSS = '''"""Twin: the classic wrong loss, mean(softmax * q): a constant."""
import torch


def pseudo_loss(logits, actions, q_values):
    return (torch.softmax(logits, dim=1) * q_values[:, None]).mean()
'''
CORRECT_SMALL_N_ONLY = '''"""Twin: correct, but an ordinary error on N > 1000."""
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    if logits.shape[0] > 1000:
        raise ValueError("too large")
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
'''


# --- grading, with caches: twins are graded once per set of limits --------------------------------


@pytest.fixture(scope="module")
def graded(grade, tmp_path_factory):
    """graded(path_or_source, limits, learning) -> (document, seconds); sources and files are cached."""
    from grader.verbs import grade as grade_module

    takes_learning = "learning" in inspect.signature(grade_module.grade_submission).parameters
    folder = tmp_path_factory.mktemp("twins")
    cache: Dict[Tuple, Tuple[dict, float]] = {}

    def run(what, limits: Limits = Limits(), learning: bool = False, cached: bool = True):
        if isinstance(what, str):
            path = folder / f"twin_{abs(hash(what))}.py"
            path.write_text(what)
        else:
            path = Path(what)
        key = (path.read_text() if path.is_file() else str(path), limits, learning)
        if cached and key in cache:
            return cache[key]
        options = {"limits": limits}
        if takes_learning:
            options["learning"] = learning
        start = time.monotonic()
        document = grade(path, **options)
        outcome = (document, time.monotonic() - start)
        cache[key] = outcome
        return outcome

    return run


def baked(name: str, folder: Path, **values) -> Path:
    """A copy of a hostile submission with test-specific values (ports, paths) baked into BAKED."""
    source = (HOSTILE / name).read_text()
    assert source.count("BAKED = {}") == 1, f"{name} has no BAKED placeholder"
    target = folder / name
    target.write_text(source.replace("BAKED = {}", f"BAKED = {values!r}"))
    return target


@pytest.fixture
def bait(tmp_path_factory):
    """A world-writable directory under /tmp: only the sandbox itself (not file permissions) keeps
    the child out of it. (pytest's tmp_path is private to this user, which would hide a Landlock hole
    when the child runs as another uid.)"""
    directory = Path(tempfile.mkdtemp(prefix="hostile-bait-", dir="/tmp"))
    directory.chmod(0o777)
    yield directory
    shutil.rmtree(directory, ignore_errors=True)


def everything(document: dict) -> str:
    """All text a student or instructor can see in a results.json."""
    return "\n".join([document["output"]] + [test["output"] for test in document["tests"]])


def output_of(document: dict, word: str) -> str:
    """The feedback of the test whose name contains `word`."""
    for test in document["tests"]:
        if word.lower() in test["name"].lower():
            return test["output"]
    raise AssertionError(f"no test named like {word!r} in {[t['name'] for t in document['tests']]}")


def printed(document: dict) -> str:
    """What the submission printed, as shown in the summary."""
    text = document["output"]
    marker = text.find("Your code printed")
    return text[marker:] if marker >= 0 else ""


def assert_valid(document: dict) -> None:
    """A results.json the grader built: JSON, small, its own checks, no grader fault."""
    text = json.dumps(document)
    assert len(text) < MAX_DOCUMENT_BYTES, f"results.json is {len(text)} bytes"
    assert "grader_fault" not in document["extra_data"], document["extra_data"].get("grader_fault", "")[-1500:]
    assert document["tests"] and all(t["name"] != "Autograder error" for t in document["tests"])
    assert document["score"] == pytest.approx(sum(t["score"] for t in document["tests"]))
    for test in document["tests"]:
        assert 0 <= test["score"] <= test["max_score"]


def full_marks(document: dict) -> float:
    return sum(test["max_score"] for test in document["tests"])


def statuses(document: dict) -> Dict[str, str]:
    return {test["name"]: test["status"] for test in document["tests"]}


# --- the sandbox leaves nothing behind ----------------------------------------------------------------


def _sandbox_uid() -> int:
    if os.geteuid() != 0:
        return os.getuid()
    for name in SANDBOX_USERS:
        try:
            return pwd.getpwnam(name).pw_uid
        except KeyError:
            continue
    raise AssertionError("no sandbox user")


def _processes() -> Dict[int, Tuple[int, int]]:
    """pid -> (ppid, uid) of every process visible in /proc."""
    found = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            found[int(entry)] = (int(fields[1]), os.stat(f"/proc/{entry}").st_uid)
        except (OSError, IndexError, ValueError):
            continue
    return found


def _descendants(root: int, table: Dict[int, Tuple[int, int]]) -> Set[int]:
    children: Dict[int, List[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    found, todo = set(), [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def _spare(zygote_pid: int, table: Dict[int, Tuple[int, int]]) -> Set[int]:
    """The monitor and child the zygote forks ahead of the next session: the child still has
    /dev/null as stdout, since its channels have not been handed over yet."""
    spare = set()
    for monitor in [pid for pid, (ppid, _) in table.items() if ppid == zygote_pid]:
        kids = [pid for pid, (ppid, _) in table.items() if ppid == monitor]
        try:
            waiting = len(kids) == 1 and os.readlink(f"/proc/{kids[0]}/fd/1") == "/dev/null"
        except OSError:
            waiting = False
        if waiting:
            spare |= {monitor, kids[0]}
    return spare


def strays(zygote_pid: int, before: Set[int]) -> Set[int]:
    """Processes the sandbox left: anything still below the zygote but the spare it keeps ready,
    and new orphans of the sandbox user (reparented to init, i.e. escaped from their monitor)."""
    table = _processes()
    uid = _sandbox_uid()
    orphans = {pid for pid, (ppid, owner) in table.items() if owner == uid and ppid == 1 and pid not in before}
    return (_descendants(zygote_pid, table) - _spare(zygote_pid, table)) | orphans


@pytest.fixture
def no_strays(zygote):
    """Fails the test if, a few seconds after it, a process of the sandbox is still alive."""
    before = set(_processes())
    yield
    deadline = time.monotonic() + 5.0
    left = strays(zygote.pid, before)
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = strays(zygote.pid, before)
    assert not left, f"processes left behind by the sandbox: {sorted(left)}"
    os.kill(zygote.pid, 0)  # the zygote itself is alive


@pytest.fixture
def grader_still_fine(graded, zygote):
    """After the attack, the same zygote grades a correct submission as before."""
    reference_document, _ = graded(CORRECT)
    yield
    os.kill(zygote.pid, 0)
    document, _ = graded(CORRECT, cached=False)
    assert document["score"] == reference_document["score"] == full_marks(document)


def _workdir(document: dict) -> Optional[str]:
    match = re.search(r"(/\S*/grader-child-[A-Za-z0-9_]+)", everything(document))
    return match.group(1) if match else None


def assert_removed(workdir: Optional[str], within_s: float = 5.0) -> None:
    """The monitor removes the child's temp dir right after reporting how the child ended."""
    if not workdir:
        return
    deadline = time.monotonic() + within_s
    while os.path.exists(workdir) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not os.path.exists(workdir), f"{workdir} was left behind"


# --- 1. forged results.json --------------------------------------------------------------------------


def _forged_files(dirs: Iterable[Path]) -> List[str]:
    forged = []
    for directory in dirs:
        candidate = Path(directory) / "results.json"
        try:
            if "hostile" in candidate.read_text():
                forged.append(str(candidate))
        except OSError:
            pass
    return forged


SYSTEM_RESULT_DIRS = [
    Path("/tmp"),
    Path("/autograder/results"),
    Path("/autograder"),
    REPO,
    REPO / "grader",
    Path(os.getcwd()),
]


@pytest.mark.parametrize(
    "name, message",
    [
        ("fake_results_sys_exit.py", "sys.exit(0)"),
        ("fake_results_os_exit.py", "exited with status 0"),
    ],
)
def test_forged_results_json(graded, rubric, tmp_path, bait, no_strays, grader_still_fine, name, message):
    before = set(_forged_files(SYSTEM_RESULT_DIRS))
    document, _ = graded(baked(name, tmp_path, dirs=[str(bait)]), HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert message in everything(document)
    # the results are the grader's own: its checks, its summary
    assert document["output"].startswith(f"**Score: 0 / {full_marks(document):g}**")
    assert {t["name"].split(". ", 1)[-1] for t in document["tests"]} <= set(rubric.exercise.parts[0].titles.values())
    time.sleep(1.0)  # a daemon left behind would keep rewriting the files
    assert not list(bait.iterdir()), f"the child wrote into {bait}: {list(bait.iterdir())}"
    assert set(_forged_files(SYSTEM_RESULT_DIRS)) <= before


@pytest.mark.slow
def test_forged_results_json_under_gradescope(tmp_path):
    """`python -m grader gradescope` end to end: the submission (and a daemon it forks) rewrite
    ROOT/results/results.json, world-writable here; the file that remains is the grader's."""
    root = tmp_path / "autograder"
    (root / "submission").mkdir(parents=True)
    (root / "results").mkdir()
    os.chmod(root / "results", 0o777)
    baked("fake_results_os_exit.py", root / "submission", dirs=[str(root / "results")])
    env = {key: value for key, value in os.environ.items() if not key.startswith("PYTEST")}
    run = subprocess.run(
        [sys.executable, "-m", "grader", "gradescope", "--root", str(root)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr[-2000:]
    time.sleep(1.0)
    document = json.loads((root / "results" / "results.json").read_text())
    assert "hostile" not in document
    assert_valid(document)
    assert document["score"] == 0
    assert "exited with status 0" in everything(document)


# --- 2. exit() ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, message",
    [
        ("exit_at_import_sys.py", "sys.exit(0)"),
        ("exit_at_import_os.py", "exited with status 0"),
        ("exit_in_function_sys.py", "sys.exit(0)"),
        ("exit_in_function_os.py", "exited with status 0"),
    ],
)
def test_exit(graded, no_strays, grader_still_fine, name, message):
    document, seconds = graded(HOSTILE / name, HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert message in output_of(document, "interface")
    assert seconds < 10


# --- 3. patched comparisons --------------------------------------------------------------------------


def test_patched_comparisons_change_nothing(graded, grader_still_fine):
    document, _ = graded(HOSTILE / "patched_comparisons.py")
    twin, _ = graded(ZERO_LOSS)
    assert_valid(document)
    assert document["score"] == twin["score"] < full_marks(twin)
    assert statuses(document) == statuses(twin)


# --- 4. secrets --------------------------------------------------------------------------------------


def test_secrets_stay_secret(graded, tmp_path, grader_still_fine):
    document, _ = graded(
        baked(
            "secrets_search.py",
            tmp_path,
            dirs=[str(REPO), str(REPO / "reference"), str(REPO / "reference" / "discrete")],
        )
    )
    twin, _ = graded(SOFTMAX_LOSS)
    assert_valid(document)
    shown = printed(document)
    assert "SEARCH RESULT: found nothing" in shown, shown
    assert "FOUND:" not in shown
    assert document["score"] == twin["score"] < full_marks(twin)


def hidden_cases(rubric) -> list:
    return [case for kind in rubric.parts[0].cases.values() for case, _ in kind if case.hidden]


def assert_no_hidden_case_shown(rubric, document: dict) -> None:
    """No hidden case's shape and first logit, as the leaking submissions print them, is visible."""
    visible = everything(document)
    hidden = hidden_cases(rubric)
    leaked = [f"N={n} A={a} first={float(logits[0, 0]):.6f}" for n, a, logits in map(_shape_and_logits, hidden)]
    leaked = [line for line in leaked if line in visible]
    assert not leaked, f"{len(leaked)} of {len(hidden)} hidden cases are shown to the student, e.g. {leaked[:3]}"


def _shape_and_logits(case) -> tuple:
    logits = case.arrays[0]  # the contract's first argument
    return logits.shape[0], logits.shape[1], logits


def test_hidden_case_inputs_stay_hidden(graded, rubric, grader_still_fine):
    document, _ = graded(HOSTILE / "leak_hidden_cases.py")
    assert_valid(document)
    assert "case N=" in everything(document), "the submission's output is not shown at all: this test proves nothing"
    assert_no_hidden_case_shown(rubric, document)


# --- 4b. channels between the two children: System V IPC, the clock, the purity feedback --------------

# The shapes of the public cases and the diagnosis probes, as a submission knows them from the handout:
# anything else with more than CartPole's two actions is a hidden case.
KNOWN_SHAPES = (
    "{(1, 2), (7, 3), (64, 4), (513, 6), (4096, 2), (32, 3), (300, 5), (16, 4), (2, 2), "
    "(3, 3), (5, 2), (6, 4), (24, 3)}"
)
ON_HIDDEN_CASES = '''"""{what} on hidden cases only, correct elsewhere."""
import os
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    if tuple(logits.shape) not in {known} and logits.shape[1] != 2:
        {action}
    log_probs = F.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
'''


def on_hidden_cases(what: str, action: str) -> str:
    return ON_HIDDEN_CASES.format(what=what, known=KNOWN_SHAPES, action=action)


def ipcs() -> str:
    return subprocess.run(["ipcs", "-m"], capture_output=True, text=True, check=True).stdout


@pytest.fixture
def ipcs_unchanged():
    """The machine's System V shared memory is the same after the test: segments a broken sandbox
    left are removed (they would outlive the test run) and fail the test."""
    before = ipcs()
    yield
    after = ipcs()
    left = [line.split()[1] for line in after.splitlines() if line.startswith("0x") and line not in before]
    for shmid in left:
        subprocess.run(["ipcrm", "-m", shmid], capture_output=True, check=False)
    assert after == before, f"shared-memory segments left on the machine:\n{after}"


@pytest.fixture(scope="module")
def graded_other_hidden(zygote, rubric):
    """Grades with a rubric whose hidden cases differ (same kinds and seeds, every N one larger):
    what a student sees must not change with them."""
    from grader.course.rubric import Graded, Rubric, solution
    from grader.verbs.grade import grade_safely

    reference = solution(rubric.name, "pseudo_loss").reference
    exercise = rubric.exercise.parts[0]
    cases = {}
    for kind, pairs in rubric.parts[0].cases.items():
        cases[kind] = [pair for pair in pairs if not pair[0].hidden]
        for case, _ in pairs:
            if case.hidden:
                n, a = (size for _, size in case.sizes)
                other = exercise.make_case(kind, case.seed, (n + 1, a), True)
                cases[kind].append((other, exercise.solve(reference, other)))
    other_rubric = Rubric(rubric.name, rubric.exercise, (Graded(exercise, rubric.parts[0].weights, cases),))
    return lambda path, limits=Limits(): grade_safely(Path(path), zygote, other_rubric, limits=limits, learning=False)


def seen_by_student(document: dict) -> Tuple[str, Dict[str, float]]:
    return everything(document), scores(document)


def test_shared_memory_carries_no_hidden_case(graded, rubric, ipcs_unchanged, grader_still_fine):
    document, _ = graded(HOSTILE / "ipc_shm_leak_hidden_cases.py")
    twin, _ = graded(SOFTMAX_LOSS)
    assert_valid(document)
    shown = printed(document)
    assert "shmget:" in shown or "attached segment" in shown, "the attack did not run: this test proves nothing"
    assert "from the other child" not in shown, shown
    assert_no_hidden_case_shown(rubric, document)
    assert document["score"] == twin["score"] and statuses(document) == statuses(twin)


def test_shared_memory_does_not_outlive_the_grade(graded, tmp_path, ipcs_unchanged, no_strays, grader_still_fine):
    before = ipcs()
    document, _ = graded(baked("ipc_pin_shared_memory.py", tmp_path, segments=4, mb=16))
    twin, _ = graded(ZERO_LOSS)
    assert_valid(document)
    assert ipcs() == before
    layers, shown = document["extra_data"]["sandbox"], printed(document)
    assert "PINNED" in shown, shown
    if "seccomp" in layers:
        assert "shmget: Operation not permitted" in shown and "PINNED 0 MB" in shown, shown
    else:
        assert "ipcns" in layers, layers
    assert document["score"] == twin["score"]


def test_the_clock_tells_nothing_of_the_hidden_child(graded, graded_other_hidden, grader_still_fine):
    """The public child times the gaps between its calls; the hidden child's calls last a time
    that depends on N. Graded against two sets of hidden cases, the student sees the same text."""
    document, _ = graded(HOSTILE / "clock_side_channel.py")
    other = graded_other_hidden(HOSTILE / "clock_side_channel.py")
    assert_valid(document)
    assert "clock probe ready" in printed(document), "the submission's output is not shown: this proves nothing"
    assert "waited" not in printed(document) + printed(other), printed(document) + printed(other)
    assert seen_by_student(document) == seen_by_student(other)
    assert document["score"] == full_marks(document)


def test_purity_feedback_only_counts_hidden_cases(graded, rubric, graded_other_hidden, grader_still_fine):
    """Which input a hidden call modified (here: chosen by N's parity) is not said, only how many."""
    document, _ = graded(HOSTILE / "hidden_mutation_report.py")
    other = graded_other_hidden(HOSTILE / "hidden_mutation_report.py")
    assert_valid(document)
    purity = output_of(document, "pure")
    count = len(hidden_cases(rubric))
    assert f"At least one of the {count} hidden cases modified an input in place" in purity, purity
    assert document["extra_data"]["hidden"]["purity"]["failed"] == count
    assert "`logits`" not in purity and "`q_values`" not in purity and "public case" not in purity, purity
    assert seen_by_student(document) == seen_by_student(other)
    assert [name for name, status in statuses(document).items() if status == "failed"] == [
        test["name"] for test in document["tests"] if "Pure" in test["name"]
    ]


def test_feedback_tells_one_bit_of_the_hidden_cases_per_check(graded, rubric, graded_other_hidden, grader_still_fine):
    """A loss wrong (and impure) exactly on the hidden cases whose N is odd: 1 of the 5 hidden
    policy cases, 4 of the 5 in the other set. The student sees the same text and scores for both;
    the counts and the failing cases are the course staff's, in extra_data."""
    from grader.outputs.feedback import feedback_markdown

    document, _ = graded(HOSTILE / "hidden_count_predicate.py")
    other = graded_other_hidden(HOSTILE / "hidden_count_predicate.py")
    assert_valid(document)
    value = output_of(document, "loss value")
    assert (
        value
        == "All 5 public cases pass. At least one of the 5 hidden cases fails (which ones, how many and their inputs are not shown)."
    ), value
    assert seen_by_student(document) == seen_by_student(other)
    assert feedback_markdown("x.py", [], document) == feedback_markdown("x.py", [], other)
    failed = {key: got["failed"] for key, got in document["extra_data"]["hidden"].items()}
    assert failed == {"interface": 0, "value": 1, "gradient": 1, "sampled_actions": 1, "stability": 1, "purity": 3}
    assert {key: got["failed"] for key, got in other["extra_data"]["hidden"].items()} == {
        **failed,
        "value": 4,
        "gradient": 4,
        "purity": 6,
    }
    assert document["extra_data"]["hidden"]["value"]["cases"] == [{"kind": "policy", "seed": 9101, "N": 3, "A": 5}]
    assert document["extra_data"]["hidden"]["purity"]["of"] == len(hidden_cases(rubric))
    assert [name for name, status in statuses(document).items() if status == "failed"] == [
        test["name"] for test in document["tests"] if test["name"].split(". ")[0] in ("2", "3", "4", "5", "6")
    ]


def test_why_a_constant_earns_nothing_does_not_count_hidden_cases(graded, graded_other_hidden, grader_still_fine):
    """A constant loss that raises on the hidden cases whose N is odd: the reason it earns nothing
    once said on how many cases, public and hidden, it gave a value."""
    document, _ = graded(HOSTILE / "hidden_count_constant.py")
    other = graded_other_hidden(HOSTILE / "hidden_count_constant.py")
    assert_valid(document)
    assert document["score"] == 0
    assert seen_by_student(document) == seen_by_student(other)
    assert output_of(document, "interface").startswith("Your loss does not depend on `logits`")
    assert "public and hidden" not in everything(document)
    assert document["extra_data"]["hidden"]["value"]["failed"] == other["extra_data"]["hidden"]["value"]["failed"] == 5


@pytest.mark.parametrize(
    "what, action",
    [
        ("Hangs", "while True:\n            pass"),
        ("Exits", "os._exit(3)"),
    ],
)
def test_a_misbehaving_hidden_child_costs_only_hidden_cases(graded, no_strays, grader_still_fine, what, action):
    """Hanging or dying in the hidden child reads exactly like an ordinary error on the same cases."""
    document, seconds = graded(on_hidden_cases(what, action), HANG)
    twin, _ = graded(on_hidden_cases("Raises", "raise ValueError('no')"), HANG)
    assert_valid(document)
    assert seen_by_student(document) == seen_by_student(twin)
    assert "hidden cases fail" in output_of(document, "loss value")
    assert 0 < document["score"] < full_marks(document)
    assert seconds < 15


# --- 5. memory ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, limits, where",
    [
        pytest.param("memory_torch_in_function.py", Limits(), "interface", marks=pytest.mark.slow),
        ("memory_bytes_in_function.py", Limits(memory_mb=96), "interface"),
        ("memory_at_import.py", Limits(), "interface"),
    ],
)
def test_memory_exhaustion(graded, no_strays, grader_still_fine, name, limits, where):
    document, _ = graded(HOSTILE / name, limits)
    assert_valid(document)
    assert document["score"] == 0
    assert "memory" in output_of(document, where).lower()


def test_memory_exhaustion_on_large_batches_only(graded, no_strays, grader_still_fine):
    document, _ = graded(HOSTILE / "memory_large_n_only.py")
    twin, _ = graded(CORRECT_SMALL_N_ONLY)
    assert_valid(document)
    assert "ran out of memory" in output_of(document, "loss value")
    assert document["score"] == twin["score"]
    assert statuses(document) == statuses(twin)
    assert 0 < document["score"] < full_marks(document)


@pytest.mark.parametrize(
    "name, claim",
    [
        ("memory_outside_rlimit_fork.py", r"HELD (\d+) MB"),
        ("memory_outside_rlimit_memfd.py", r"MEMFD HELD (\d+) MB"),
        ("disk_fill.py", r"WROTE (\d+) MB"),
        ("memfd_secret_hog.py", r"SECRET HELD (\d+) MB"),
    ],
)
def test_memory_budget_covers_the_whole_sandbox(graded, no_strays, grader_still_fine, name, claim):
    """The budget is the sandbox's, not one process's: helpers, memfd files and files in the temp dir
    (RAM on a tmpfs /tmp) must not add up to more than it."""
    document, _ = graded(HOSTILE / name)
    assert_valid(document)
    assert_removed(_workdir(document))
    match = re.search(claim, printed(document))
    assert match, printed(document)
    assert int(match.group(1)) <= MEMORY_BUDGET_MB, (
        f"{name}: the sandbox held {match.group(1)} MB, beyond its {MEMORY_BUDGET_MB} MB budget"
    )


# --- 6. processes --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["fork_bomb_os_fork.py", "fork_bomb_multiprocessing.py"])
def test_fork_bomb(graded, no_strays, grader_still_fine, name):
    document, seconds = graded(HOSTILE / name, HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert "no answer within" in output_of(document, "interface")
    assert seconds < 15


def test_orphan_daemon_is_killed(graded, no_strays, grader_still_fine):
    document, _ = graded(HOSTILE / "orphan_daemon.py")
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert document["score"] == twin["score"] == full_marks(twin)


@pytest.mark.parametrize(
    "name, limit",
    [
        ("ignore_signals_in_function.py", (HANG.restarts + 1) * (HANG.call_timeout_s + 1.5)),
        ("ignore_signals_at_import.py", HANG.import_timeout_s + 2.5),
    ],
)
def test_ignoring_signals_does_not_help(graded, no_strays, grader_still_fine, name, limit):
    document, seconds = graded(HOSTILE / name, HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert "no answer within" in output_of(document, "interface")
    assert seconds < limit


def test_kill_everything(graded, zygote, tmp_path, no_strays, grader_still_fine):
    document, _ = graded(baked("kill_everything.py", tmp_path, pids=[os.getpid(), zygote.pid]), HANG)
    os.kill(os.getpid(), 0)
    os.kill(zygote.pid, 0)
    twin, _ = graded(ZERO_LOSS)
    assert_valid(document)
    assert document["score"] in (0, twin["score"])
    shown = printed(document)
    assert f"could not signal baked pid {os.getpid()}" in shown
    assert f"could not signal baked pid {zygote.pid}" in shown


# --- 7. code that runs when the result is handled -----------------------------------------------------


@pytest.fixture(scope="module")
def subclass_run(graded, tmp_path_factory):
    folder = tmp_path_factory.mktemp("subclass")
    bait = Path(tempfile.mkdtemp(prefix="hostile-bait-", dir="/tmp"))
    bait.chmod(0o777)
    document, _ = graded(baked("tensor_subclass_side_effects.py", folder, dirs=[str(bait)]))
    markers = list(bait.iterdir())
    shutil.rmtree(bait, ignore_errors=True)
    return document, markers


def test_tensor_subclass_hooks_never_run_in_the_grader(subclass_run):
    document, markers = subclass_run
    assert_valid(document)
    assert not markers, f"markers written outside the child: {markers}"
    for directory in (Path("/tmp"), REPO / "grader", Path(os.getcwd())):
        assert not list(directory.glob("hostile-marker-*")), directory


def test_tensor_subclass_is_graded_by_its_numbers(subclass_run, graded):
    document, _ = subclass_run
    twin, _ = graded(CORRECT)
    assert scores(document) == scores(twin), "a correct loss returned as a torch.Tensor subclass"


def test_unreadable_result_is_read_anyway(graded, no_strays, grader_still_fine):
    """A result whose own methods raise when read: the grader reads it with torch's functions, not the
    subclass's, so the numbers decide; never "exit()" nor the grader's traceback in the feedback."""
    document, _ = graded(HOSTILE / "explodes_when_read.py", HANG)
    assert_valid(document)
    assert document["score"] == full_marks(document)
    assert "exit()" not in everything(document)
    assert "grader/sandbox/parent.py" not in document["output"]


# --- 8. output ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["flood_stdout.py", "flood_stderr.py", "flood_os_write.py"])
def test_output_flood(graded, grader_still_fine, name):
    document, seconds = graded(HOSTILE / name)
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert document["score"] == twin["score"] == full_marks(twin)
    shown = printed(document)
    assert "FLOOD FIRST LINE" in shown and "FLOOD LAST LINE" in shown
    assert "cut" in shown
    assert len(document["output"]) <= results.TOP_OUTPUT_BYTES + 100
    assert seconds < 20


def test_background_printer(graded, no_strays, grader_still_fine):
    document, seconds = graded(HOSTILE / "background_printer.py")
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert document["score"] == twin["score"] == full_marks(twin)
    assert "background line" in printed(document) and "cut" in printed(document)
    assert seconds < 10


def test_terminal_escapes_do_not_reach_a_terminal(graded, grader_still_fine):
    document, _ = graded(HOSTILE / "terminal_escapes.py")
    twin, _ = graded(ZERO_LOSS)
    assert document["score"] == twin["score"]
    text = results.to_text(document)
    for control in ("\x1b", "\r", "\x07"):
        assert control not in text, f"{control!r} reaches the terminal report"
        assert control not in json.loads(json.dumps(document))["output"]


# --- 9. torch global state -----------------------------------------------------------------------------


def test_torch_global_state_at_import(graded, grader_still_fine):
    document, _ = graded(HOSTILE / "torch_global_state.py")
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert scores(document) == scores(twin), output_of(document, "interface")


# --- 10. network ---------------------------------------------------------------------------------------


def test_no_network(graded, tmp_path, grader_still_fine):
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    abstract = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    name = f"hostile-test-{os.getpid()}-{time.monotonic_ns()}"
    try:
        tcp.bind(("127.0.0.1", 0))
        tcp.listen(8)
        udp.bind(("127.0.0.1", 0))
        abstract.bind("\0" + name)
        abstract.listen(8)
        for sock in (tcp, udp, abstract):
            sock.setblocking(False)
        path = baked(
            "network_loopback.py", tmp_path, tcp_port=tcp.getsockname()[1], udp_port=udp.getsockname()[1], abstract=name
        )
        document, _ = graded(path)
        reached = []
        for label, _sock, probe in (
            ("tcp", tcp, tcp.accept),
            ("udp", udp, lambda: udp.recv(100)),
            ("abstract", abstract, abstract.accept),
        ):
            try:
                probe()
                reached.append(label)
            except (BlockingIOError, OSError):
                pass
    finally:
        for sock in (tcp, udp, abstract):
            sock.close()
    twin, _ = graded(ZERO_LOSS)
    assert not reached, f"the sandbox reached the test's listeners: {reached}"
    assert "CONNECTED" not in printed(document)
    assert printed(document).count("blocked") == 5
    assert document["score"] == twin["score"]


def test_no_pathname_unix_sockets(graded, tmp_path, bait, grader_still_fine):
    stream_path, dgram_path = str(bait / "stream.sock"), str(bait / "dgram.sock")
    stream = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    dgram = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    received: List[bytes] = []
    try:
        stream.bind(stream_path)
        stream.listen(8)
        dgram.bind(dgram_path)
        for path in (stream_path, dgram_path):
            os.chmod(path, 0o777)
        stream.settimeout(0.2)
        dgram.setblocking(False)
        document, _ = graded(baked("unix_socket_escape.py", tmp_path, stream=[stream_path], dgram=[dgram_path]))
        try:
            connection, _ = stream.accept()
            connection.settimeout(1.0)
            received.append(connection.recv(100))
            connection.close()
        except OSError:
            pass
        try:
            received.append(dgram.recv(100))
        except OSError:
            pass
    finally:
        stream.close()
        dgram.close()
    assert_valid(document)
    assert not received, (
        f"a Unix socket outside the sandbox received {received}; the child printed {printed(document)!r}"
    )


# --- 11. the protocol socket ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "attack",
    [
        "garbage",
        "giant_length",
        "giant_arrays",
        "forged_answer",
        "slow_drip",
        "deep_json",
        "huge_int",
        "overflowing_number",
    ],
)
def test_protocol_attacks_are_rejected(graded, tmp_path, no_strays, grader_still_fine, attack):
    document, seconds = graded(baked("protocol_abuse.py", tmp_path, attack=attack), HANG)
    twin, _ = graded(ZERO_LOSS, HANG)
    assert_valid(document)
    assert document["score"] <= twin["score"]
    assert seconds < 10


@pytest.mark.slow
def test_protocol_hang_up_costs_one_call_timeout(graded, tmp_path, no_strays, grader_still_fine):
    """The child shuts its socket and lives on: the grader must kill it at the call timeout, not later."""
    limits = Limits(call_timeout_s=1.0, import_timeout_s=2.0, restarts=0)
    document, seconds = graded(baked("protocol_abuse.py", tmp_path, attack="hang_up"), limits)
    assert_valid(document)
    assert document["score"] == 0
    assert seconds < limits.call_timeout_s + 2.5, f"a hang-up cost {seconds:.1f} s"


def test_forged_flags_buy_nothing(graded, tmp_path, grader_still_fine):
    """Flags the child reports about itself (returned type, connected, mutated) must not earn points."""
    source = (HOSTILE / "forged_flags.py").read_text()
    twin_source = source.split("\n\ndef _disguise")[0] + "\n"
    document, _ = graded(HOSTILE / "forged_flags.py")
    twin, _ = graded(twin_source)
    assert_valid(document)
    assert document["score"] <= twin["score"], f"disguised: {scores(document)}; honest: {scores(twin)}"


# --- 12. the filesystem -----------------------------------------------------------------------------


def test_writes_outside_the_temp_dir_are_denied(graded, tmp_path, bait, grader_still_fine):
    places = [
        bait,
        Path("/tmp"),
        Path("/var/tmp"),
        Path("/dev/shm"),
        Path("/autograder/results"),
        REPO,
        REPO / "grader",
        REPO / "reference",
        REPO / "tests",
    ]
    before = {str(p) for place in places if place.is_dir() for p in place.glob("hostile-write-*")}
    document, _ = graded(baked("write_outside.py", tmp_path, dirs=[str(bait)]))
    twin, _ = graded(ZERO_LOSS)
    after = {str(p) for place in places if place.is_dir() for p in place.glob("hostile-write-*")}
    assert_valid(document)
    assert after <= before, f"written outside the sandbox: {sorted(after - before)}"
    assert "WROTE" not in printed(document), printed(document)
    assert document["score"] == twin["score"]


@pytest.mark.parametrize("name", ["deletes_cwd.py", "chdir_root.py", "closes_stdio.py", "messy_workdir.py"])
def test_working_directory_and_stdio_tricks(graded, no_strays, grader_still_fine, name):
    document, _ = graded(HOSTILE / name)
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert document["score"] == twin["score"] == full_marks(twin)
    workdir = _workdir(document)
    if name in ("deletes_cwd.py", "messy_workdir.py"):
        assert workdir, printed(document)
    assert_removed(workdir)
    assert os.path.isdir("/tmp") and os.path.isdir(REPO / "grader")


def _symlinked_folder(folder: Path, entry_is_link: bool) -> Path:
    folder.mkdir()
    target = REPO / "reference" / "discrete" / "pseudo_loss.py"
    if entry_is_link:
        (folder / "pseudo_loss.py").symlink_to(target)
    else:
        (folder / "helper.py").symlink_to(target)
        (folder / "pseudo_loss.py").write_text(
            '"""Hostile: a folder whose helper.py is a symlink to the grader\'s reference solution."""\n'
            "import torch\n\n"
            "try:\n"
            "    from helper import pseudo_loss as _reference\n"
            "    print('GOT THE REFERENCE')\n"
            "except ImportError as exc:\n"
            "    print(f'no helper: {exc}')\n"
            "    _reference = None\n\n\n"
            "def pseudo_loss(logits, actions, q_values):\n"
            "    if _reference is not None:\n"
            "        return _reference(logits, actions, q_values)\n"
            "    return (torch.softmax(logits, dim=1) * q_values[:, None]).mean()\n"
        )
    return folder


@pytest.mark.parametrize("entry_is_link", [False, True], ids=["helper_symlink", "entry_symlink"])
def test_symlinks_to_the_reference_are_not_followed(graded, tmp_path, grader_still_fine, entry_is_link):
    folder = _symlinked_folder(tmp_path / "upload", entry_is_link)
    document, _ = graded(folder)
    assert_valid(document)
    assert "GOT THE REFERENCE" not in everything(document)
    if entry_is_link:
        assert document["score"] == 0
    else:
        twin, _ = graded(SOFTMAX_LOSS)
        assert document["score"] == twin["score"]


def test_folder_with_large_helpers(graded, tmp_path, grader_still_fine):
    """Not an attack, a careless upload: a correct pseudo_loss.py beside ten 1.9 MB data modules (each
    under the loader's 2 MB per-file limit) that it does not import, so they are not sent. Either it
    is graded like the plain correct file, or it gets 0 with a message that says the upload is too
    large; never a misleading "stopped by the grader" or "called exit()"."""
    folder = tmp_path / "upload"
    folder.mkdir()
    shutil.copy(CORRECT, folder / "pseudo_loss.py")
    for number in range(10):
        (folder / f"data{number}.py").write_text(f"DATA = {'x' * 1_900_000!r}\n")
    document, _ = graded(folder)
    twin, _ = graded(CORRECT)
    assert_valid(document)
    message = output_of(document, "interface")
    assert document["score"] == twin["score"] or ("large" in message or "MB" in message), message


# --- 13. hangs, crashes, budget ------------------------------------------------------------------------


def test_sleep_at_import(graded, no_strays, grader_still_fine):
    document, seconds = graded(HOSTILE / "sleep_at_import.py", HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert f"no answer within {HANG.import_timeout_s:g} s" in output_of(document, "interface")
    assert seconds < HANG.import_timeout_s + 2.5


def test_infinite_recursion(graded, grader_still_fine):
    document, _ = graded(HOSTILE / "infinite_recursion.py", HANG)
    assert_valid(document)
    assert document["score"] == 0
    assert "RecursionError" in output_of(document, "interface")


def test_recursion_through_c_crashes_only_the_child(graded, no_strays, grader_still_fine):
    document, _ = graded(HOSTILE / "recursion_segfault.py", HANG)
    assert_valid(document)
    assert document["score"] == 0
    message = output_of(document, "interface")
    assert any(word in message for word in ("SIGSEGV", "memory", "RecursionError")), message


def test_slow_submission_is_stopped_by_its_budget(graded, no_strays, grader_still_fine):
    limits = Limits(call_timeout_s=1.0, import_timeout_s=2.0, budget_s=2.0)
    document, seconds = graded(HOSTILE / "slow_but_correct.py", limits)
    twin, _ = graded(CORRECT)
    assert_valid(document)
    assert "budget" in everything(document)
    assert document["score"] < twin["score"]
    assert seconds < limits.budget_s + 3


# --- 14. the whole pipeline, CartPole included ---------------------------------------------------------


@pytest.mark.slow
@pytest.mark.parametrize(
    "name, expected",
    [
        ("exit_in_function_os.py", "zero"),
        ("ignore_signals_in_function.py", "zero"),
        ("kill_everything.py", "zero_or_twin"),
        ("background_printer.py", "full"),
        ("orphan_daemon.py", "full"),
    ],
)
def test_with_learning_check(graded, no_strays, grader_still_fine, name, expected):
    document, seconds = graded(HOSTILE / name, HANG, learning=True)
    assert_valid(document)
    if expected == "full":
        twin, _ = graded(CORRECT, HANG, learning=True)
        assert document["score"] == twin["score"] == full_marks(twin)
    elif expected == "zero":
        assert document["score"] == 0
    else:
        twin, _ = graded(ZERO_LOSS, HANG, learning=True)
        assert document["score"] in (0, twin["score"])
    assert seconds < 30
