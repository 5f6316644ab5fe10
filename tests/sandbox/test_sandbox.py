"""The sandbox's mechanics, observed from inside a child: what it can see, what it may use."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from grader.calling.answer import Answer
from grader.calling.oracle import Failure
from grader.course import rubric
from grader.sandbox.parent import Limits, SandboxError, Zygote
from grader.sandbox.sandboxed import SandboxChild
from grader.sandbox.seen import Died, Output

ROOT = os.geteuid() == 0
REPO = Path(__file__).resolve().parents[2]
CONTRACT = rubric.exercise("discrete").parts[0].contract
CASE = (np.zeros((2, 3), np.float32), np.array([0, 2]), np.array([1.0, -1.0], np.float32))
CORRECT = "import torch.nn.functional as F\ndef pseudo_loss(l, a, q):\n    return (F.cross_entropy(l, a, reduction='none') * q).mean()\n"


def run(zygote, code: str, limits: Limits = Limits(), calls: int = 1):
    """Import code in a sandbox, call it `calls` times; return (outcomes, printed text, child)."""
    child = SandboxChild(zygote, {"submission.py": code}, [CONTRACT], limits)
    error = child.import_submission()[CONTRACT.function]
    outcomes = [child.oracle(CONTRACT.function).call(*CASE) for _ in range(calls)] if error is None else []
    child.close()
    return outcomes, child.output.text(), child


HELPERS = """
import ctypes, errno, json, os, sys, resource, threading
_libc = ctypes.CDLL(None, use_errno=True)
def _try(action):
    try:
        action()
        return "allowed"
    except OSError as exc:
        return type(exc).__name__
def _call(name, *args):
    return "allowed" if getattr(_libc, name)(*args) != -1 else errno.errorcode[ctypes.get_errno()]
def _thread_runs():
    ran = []
    thread = threading.Thread(target=lambda: ran.append("thread ran"))
    thread.start()
    thread.join()
    return ran[0]
"""


def report(zygote, expression: str) -> object:
    """Evaluate an expression inside the sandbox at import time and return it (as JSON)."""
    code = HELPERS + f"print('REPORT', json.dumps({expression}))\n" + CORRECT
    _, printed, _ = run(zygote, code)
    line = next(line for line in printed.splitlines() if line.startswith("REPORT "))
    return json.loads(line[len("REPORT ") :])


def test_layers_in_force(zygote):
    _, _, child = run(zygote, CORRECT)
    layers = set(child.layers)
    assert any(layer.startswith("landlock:abi") for layer in layers)
    assert {"pidns", "netns", "ipcns"} <= layers
    assert any(layer.startswith("uid:") for layer in layers) == ROOT


def test_child_runs_unprivileged_in_an_empty_private_directory(zygote):
    seen = report(zygote, "{'uid': os.getuid(), 'cwd': os.getcwd(), 'files': os.listdir('.'), 'pid': os.getpid()}")
    if ROOT:
        assert seen["uid"] != 0
    assert seen["cwd"].startswith("/tmp/grader-child-") and seen["files"] == []
    assert seen["pid"] == 1  # first process of its own pid namespace


def test_environment_is_scrubbed_and_only_the_channels_stay_open(zygote):
    seen = report(zygote, "{'env': dict(os.environ), 'fds': sorted(int(f) for f in os.listdir('/proc/self/fd'))}")
    allowed = {"PATH", "HOME", "TMPDIR", "LANG", "OMP_NUM_THREADS", "MKL_NUM_THREADS", "TORCH_COMPILE_DISABLE"}
    assert set(seen["env"]) <= allowed
    assert len(seen["fds"]) <= 5  # stdin, stdout, stderr, the call socket, the one listdir opened


def test_resource_limits_are_set(zygote):
    seen = report(
        zygote,
        "{name: resource.getrlimit(getattr(resource, name)) for name in "
        "['RLIMIT_AS', 'RLIMIT_CPU', 'RLIMIT_NPROC', 'RLIMIT_FSIZE', 'RLIMIT_NOFILE', 'RLIMIT_CORE']}",
    )
    limits = Limits()
    assert seen["RLIMIT_CPU"][0] == limits.cpu_s
    assert seen["RLIMIT_FSIZE"][0] == limits.file_size_mb * 1024 * 1024
    assert seen["RLIMIT_NOFILE"][0] == limits.open_files
    assert seen["RLIMIT_CORE"] == [0, 0]
    assert 0 < seen["RLIMIT_AS"][0] < 2 * 1024**3  # torch's own mapping plus the budget
    assert seen["RLIMIT_NPROC"][0] >= limits.processes


def test_nothing_secret_was_forked_into_the_child(zygote):
    seen = report(
        zygote,
        "sorted(m for m in sys.modules if m.split('.')[0] in ('reference', 'gymnasium') "
        "or m in ('grader.course.rubric', 'grader.verbs.grade', 'grader.naming.diagnosis'))",
    )
    assert seen == []


def test_zygote_refuses_to_start_after_the_reference_is_imported():
    import reference.discrete.pseudo_loss  # noqa: F401  (conftest forked the shared zygote before this)

    with pytest.raises(SandboxError, match="before reference"):
        Zygote.start()


def test_a_correct_function_answers_in_milliseconds(zygote):
    outcomes, _, _ = run(zygote, CORRECT, calls=20)
    assert all(isinstance(o, Answer) and o.error is None for o in outcomes)
    assert max(o.seconds for o in outcomes) < 0.5


def test_hang_is_killed_at_the_call_timeout_and_the_next_call_gets_a_fresh_child(zygote):
    code = (
        "import os\nCALLS = 0\ndef pseudo_loss(l, a, q):\n    global CALLS\n    CALLS += 1\n"
        "    while True:\n        pass\n"
    )
    start = time.monotonic()
    outcomes, _, oracle = run(zygote, code, Limits(call_timeout_s=0.5, restarts=1), calls=3)
    assert [o.kind for o in outcomes] == ["timeout", "timeout", "skipped"]
    assert time.monotonic() - start < 5
    assert "no answer within 0.5 s" in outcomes[0].message


def test_exit_during_a_call_is_reported_with_its_status(zygote):
    outcomes, _, _ = run(zygote, "import os\ndef pseudo_loss(l, a, q):\n    os._exit(7)\n")
    assert isinstance(outcomes[0], Failure) and outcomes[0].kind == "died"
    assert "status 7" in outcomes[0].message


def test_memory_error_is_reported_as_running_out_of_memory(zygote):
    code = "import torch\ndef pseudo_loss(l, a, q):\n    torch.ones(1024, 1024, 1024)\n"
    outcomes, _, _ = run(zygote, code)
    assert isinstance(outcomes[0], Answer) and outcomes[0].memory


def test_child_can_start_no_process_and_open_no_socket_but_can_start_threads(zygote):
    seen = report(
        zygote,
        "[__import__('grader.sandbox.seccomp').sandbox.seccomp.seccomp is not None, _try(os.fork), "
        "_try(lambda: __import__('socket').socket()), _try(lambda: os.memfd_create('x')), "
        "_thread_runs()]",
    )
    assert seen[0] is True  # the seccomp layer is available here
    assert seen[1:] == ["PermissionError", "PermissionError", "PermissionError", "thread ran"]


def test_child_can_make_no_ipc_object_and_no_secret_memory(zygote):
    from grader.sandbox import seccomp as syscalls

    secret = syscalls.resolve("memfd_secret") if syscalls.seccomp is not None else None
    if secret is None:
        pytest.skip("no seccomp here, or no memfd_secret on this architecture")
    private, create = 0, 0o1000 | 0o600  # IPC_PRIVATE, IPC_CREAT
    seen = report(
        zygote,
        f"[_call('shmget', {private}, 4096, {create}), _call('msgget', {private}, {create}), "
        f"_call('semget', {private}, 1, {create}), _call('syscall', {secret}, 0)]",
    )
    assert seen == ["EPERM"] * 4


def test_every_denied_call_has_a_number_here():
    """A name libseccomp does not know used to cost the whole filter; now each resolves or is left out."""
    from grader.sandbox import seccomp as syscalls

    if syscalls.seccomp is None:
        pytest.skip("no seccomp here")
    assert [name for name in syscalls.DENIED if syscalls.resolve(name) is None] == []


def test_a_call_libseccomp_does_not_know_is_denied_by_its_number(monkeypatch):
    from grader.sandbox import seccomp as syscalls

    if syscalls.seccomp is None:
        pytest.skip("no seccomp here")
    arch = syscalls.seccomp.Arch
    native = syscalls.seccomp.system_arch()
    monkeypatch.setattr(syscalls.seccomp, "resolve_syscall", lambda arch, name: -1)  # an old libseccomp
    same_numbers = native in (arch.X86_64, arch.AARCH64, arch.RISCV64)
    assert syscalls.resolve("memfd_secret") == (447 if same_numbers else None)
    assert syscalls.resolve("no_such_call") is None


def test_each_child_has_its_own_ipc_namespace(zygote):
    first, second = (report(zygote, "os.readlink('/proc/self/ns/ipc')") for _ in range(2))
    assert first.startswith("ipc:[")
    assert len({first, second, os.readlink("/proc/self/ns/ipc")}) == 3


# With seccomp's IPC rules removed, in a grader of its own: the namespace alone must keep a segment
# from the next child and from the machine.
WITHOUT_IPC_RULES = """
import sys
from grader.sandbox import seccomp as syscalls
syscalls.DENIED = tuple(name for name in syscalls.DENIED if name not in syscalls.SYSV_IPC)
from grader.sandbox.parent import Zygote
from grader.sandbox.sandboxed import SandboxChild
zygote = Zygote.start()
from grader.course import rubric
contract = rubric.exercise("discrete").parts[0].contract
for code in sys.argv[1:]:
    child = SandboxChild(zygote, {"submission.py": code}, [contract])
    error = child.import_submission()[contract.function]
    child.close()
    print(error or child.output.text(), flush=True)
zygote.close()
"""
SHM = """import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
libc.shmat.restype = ctypes.c_void_p
libc.shmat.argtypes = [ctypes.c_int, ctypes.c_void_p, ctypes.c_int]
def pseudo_loss(l, a, q):
    return l.sum()
"""
MAKES_SEGMENT = (
    SHM
    + """shmid = libc.shmget({key}, 4096, 0o1000 | 0o666)
assert shmid >= 0, errno.errorcode[ctypes.get_errno()]
address = libc.shmat(shmid, None, 0)
ctypes.memmove(address, b"left by the first child", 23)
libc.shmdt(ctypes.c_void_p(address))  # and no IPC_RMID: the segment stays
print("made segment", shmid)
"""
)
LOOKS_FOR_SEGMENT = (
    SHM
    + """shmid = libc.shmget({key}, 0, 0)
print("found segment" if shmid >= 0 else "no segment: " + errno.errorcode[ctypes.get_errno()])
"""
)


def _host_segments() -> str:
    return subprocess.run(["ipcs", "-m"], capture_output=True, text=True, check=True).stdout


def test_a_segment_made_in_one_child_is_invisible_to_the_next():
    key = 0x5EC00000 | (os.getpid() & 0xFFFF)
    before = _host_segments()
    command = [
        sys.executable,
        "-c",
        WITHOUT_IPC_RULES,
        MAKES_SEGMENT.format(key=key),
        LOOKS_FOR_SEGMENT.format(key=key),
    ]
    run = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "made segment" in run.stdout, run.stdout  # the first child could make one: only the namespace stops it
    assert "no segment: ENOENT" in run.stdout and "found segment" not in run.stdout, run.stdout
    assert f"0x{key:08x}" not in _host_segments()
    assert _host_segments() == before


def test_workdir_is_a_small_private_tmpfs(zygote):
    seen = report(zygote, "__import__('shutil').disk_usage('.').total // 2**20")
    assert seen == Limits().disk_mb


def test_output_keeps_head_and_tail_and_counts_the_rest():
    output = Output(keep=100)
    for i in range(1000):
        output.feed(f"line {i}\n".encode())
    text = output.text()
    assert text.startswith("line 0\n") and text.endswith("line 999\n")
    assert "bytes cut" in text and output.total == sum(len(f"line {i}\n") for i in range(1000))


def test_died_describes_each_way_of_ending():
    limits = Limits()
    assert "status 3" in Died(3, None, False).describe(limits)
    assert "CPU" in Died(None, 24, False).describe(limits)
    assert "SIGSEGV" in Died(None, 11, False).describe(limits)
    assert "stopped by the grader" in Died(None, 9, True).describe(limits)


def test_each_function_of_an_upload_keeps_its_own_cpu_seconds_in_their_shared_child(zygote):
    """Two functions that each burn 1.5 s of CPU a call, in a child whose limit is 2 s a function:
    both answer (a child of their own each would have let them), and the calls that go past the
    child's 4 s are stopped and said to be (its pid namespace's init ignores SIGXCPU: the SIGKILL a
    second later is told by the seconds used)."""
    from grader.course import rubric as rubrics

    parts = rubrics.exercise("returns").parts[:2]
    burn = "import time, numpy as np\ndef _burn(s):\n    end = time.process_time() + s\n    while time.process_time() < end:\n        pass\n"
    code = burn + "".join(
        f"def {part.function}(rewards, gamma):\n    _burn(1.5)\n    return np.zeros(len(rewards))\n" for part in parts
    )
    child = SandboxChild(zygote, {"submission.py": code}, [part.contract for part in parts], Limits(cpu_s=2))
    try:
        assert all(error is None for error in child.import_submission().values())
        outcomes = [child.oracle(part.function).call(np.ones(3), np.asarray(0.9)) for part in parts * 2]
    finally:
        child.close()
    assert [getattr(outcome, "value", np.zeros(0)).tolist() for outcome in outcomes[:2]] == [[0.0] * 3] * 2, outcomes
    stopped = [outcome for outcome in outcomes[2:] if isinstance(outcome, Failure)]
    assert stopped and stopped[0].message == "the process stopped: it used more than its 4 s of CPU time", outcomes
