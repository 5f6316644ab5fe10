"""Submissions graded one after another by the same zygote do not affect each other.

A changes everything it can reach at import: torch's default dtype,
`F.cross_entropy` (returns zeros), `torch.Tensor.__add__` (returns zeros), a
builtin, an environment variable, a file in its working directory, and the
seeds of every RNG. B is a correct loss that relies on exactly those
(`F.cross_entropy`, `torch.tensor(...)`, `+`). PROBE prints what a fresh child
sees. Graded in the order PROBE, B, A, B, PROBE: B's two results must be the same
and full marks, and PROBE must print the same thing before and after A.
"""

from __future__ import annotations

import json
import os
import random
from pathlib import Path
from typing import Dict

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from conftest import scores

ORIGINAL_CROSS_ENTROPY = F.cross_entropy
ORIGINAL_ADD = torch.Tensor.__add__

B = '''"""Correct: cross-entropy with the sampled actions as labels, accumulated into a tensor."""
import torch
import torch.nn.functional as F


def pseudo_loss(logits, actions, q_values):
    n = torch.tensor(float(logits.shape[0]))
    total = torch.tensor(0.0)
    total = total + (F.cross_entropy(logits, actions, reduction="none") * q_values).sum()
    return total / n
'''

A = '''"""Changes every piece of global state it can reach, then defines a correct loss."""
import builtins
import os
import random

import numpy as np
import torch
import torch.nn.functional as F

_log_softmax = F.log_softmax
_zeros_like = torch.zeros_like

torch.set_default_dtype(torch.float64)
F.cross_entropy = lambda *args, **kwargs: torch.zeros(())
torch.Tensor.__add__ = lambda self, other: _zeros_like(self)
builtins.A_WAS_HERE = True
os.environ["A_WAS_HERE"] = "1"
with open("a_was_here.txt", "w") as handle:
    handle.write("A was here")
torch.manual_seed(1234)
random.seed(1234)
np.random.seed(1234)
STATE = {"graded_before": True}
print("A ran:", torch.get_default_dtype(), F.cross_entropy(None, None).item())


def pseudo_loss(logits, actions, q_values):
    taken = _log_softmax(logits, dim=1).gather(1, actions.view(-1, 1)).view(-1)
    return -(taken * q_values).mean()
'''

PROBE = '''"""Prints what a fresh child sees of the global state A changed; then a correct loss."""
import builtins
import json
import os
import random
import random
import sys

import numpy as np
import torch
import torch.nn.functional as F

seen = {
    "default_dtype": str(torch.get_default_dtype()),
    "tensor_dtype": str(torch.tensor(1.0).dtype),
    "cross_entropy": F.cross_entropy.__module__ + "." + F.cross_entropy.__qualname__,
    "cross_entropy_of_two_equal_logits": round(float(F.cross_entropy(torch.zeros(1, 2), torch.tensor([0]))), 6),
    "one_plus_one": float((torch.ones(1) + torch.ones(1)).item()),
    "add": torch.Tensor.__add__.__qualname__,
    "builtin": hasattr(builtins, "A_WAS_HERE"),
    "environment": "A_WAS_HERE" in os.environ,
    "workdir": sorted(os.listdir(".")),
    "modules_with_state": sorted(name for name, module in list(sys.modules.items())
                                 if isinstance(getattr(module, "STATE", None), dict)),
    "rng": [torch.rand(1).item(), random.random(), float(np.random.rand())],
}
print("PROBE " + json.dumps(seen, sort_keys=True))


def pseudo_loss(logits, actions, q_values):
    log_probs = torch.log_softmax(logits, dim=1)
    return -(log_probs.gather(1, actions.view(-1, 1)).view(-1) * q_values).mean()
'''


def without_timings(document: dict) -> dict:
    document = json.loads(json.dumps(document))
    document.pop("execution_time")
    document["extra_data"].pop("timing", None)
    return document


def full_marks(document: dict) -> bool:
    return document["score"] == sum(test["max_score"] for test in document["tests"]) and all(
        test["status"] == "passed" for test in document["tests"]
    )


def probe_of(document: dict) -> Dict:
    line = next(line for line in document["output"].splitlines() if line.startswith("PROBE "))
    return json.loads(line[len("PROBE ") :])


def write_all(folder: Path) -> Dict[str, Path]:
    paths = {}
    for name, source in (("a", A), ("b", B), ("probe", PROBE)):
        paths[name] = folder / f"{name}.py"
        paths[name].write_text(source)
    return paths


@pytest.fixture(scope="module")
def sequence(grade, tmp_path_factory) -> Dict[str, dict]:
    """PROBE, B, A, B, PROBE graded in that order by the same zygote (without CartPole)."""
    paths = write_all(tmp_path_factory.mktemp("isolation"))
    graded = {}
    for label, name in (
        ("probe before", "probe"),
        ("b before", "b"),
        ("a", "a"),
        ("b after", "b"),
        ("probe after", "probe"),
    ):
        graded[label] = grade(paths[name], learning=False)
    return graded


def test_a_was_graded_and_its_changes_took_effect_in_its_own_child(sequence):
    document = sequence["a"]
    assert document["extra_data"]["status"] == "graded", document["extra_data"].get("grader_fault")
    assert "A ran: torch.float64 0.0" in document["output"]  # the patches were live where A ran


def test_b_gets_full_marks_and_the_same_result_before_and_after_a(sequence):
    before, after = sequence["b before"], sequence["b after"]
    assert full_marks(before), scores(before)
    assert full_marks(after), scores(after)
    assert without_timings(before) == without_timings(after)


def test_b_would_fail_if_a_s_changes_reached_it(grade, tmp_path):
    """What the isolation tests guard against: B's code run after A's in one module loses points."""
    together = tmp_path / "a_then_b.py"
    together.write_text(A.split("\n\ndef pseudo_loss")[0] + "\n\n" + B.split("\n\n\n", 1)[1])
    document = grade(together, learning=False)
    assert "A ran: torch.float64 0.0" in document["output"]
    assert scores(document)["Loss value equals the reference"] == 0


def test_a_fresh_child_after_a_sees_torch_as_it_was(sequence):
    seen = probe_of(sequence["probe after"])
    assert seen["default_dtype"] == "torch.float32" and seen["tensor_dtype"] == "torch.float32"
    assert seen["cross_entropy"] == "torch.nn.functional.cross_entropy"
    assert seen["cross_entropy_of_two_equal_logits"] == pytest.approx(0.693147, abs=1e-6)  # log 2
    assert seen["one_plus_one"] == 2.0
    assert seen["add"] != "<lambda>"


def test_a_fresh_child_after_a_sees_no_global_file_or_variable_of_a(sequence):
    seen = probe_of(sequence["probe after"])
    assert seen["builtin"] is False and seen["environment"] is False
    assert seen["workdir"] == []
    assert seen["modules_with_state"] == []


def test_a_fresh_child_sees_the_same_thing_before_and_after_a(sequence):
    before, after = probe_of(sequence["probe before"]), probe_of(sequence["probe after"])
    # Every child starts torch's, Python's and numpy's generators from the same seed: the same draws.
    assert before == after
    assert full_marks(sequence["probe after"])


def test_a_fresh_child_after_a_does_not_draw_from_the_rngs_a_seeded(sequence):
    drawn = probe_of(sequence["probe after"])["rng"]
    seeded_by_a = [
        torch.rand(1, generator=torch.Generator().manual_seed(1234)).item(),
        random.Random(1234).random(),
        float(np.random.RandomState(1234).rand()),
    ]
    assert all(got != seeded for got, seeded in zip(drawn, seeded_by_a)), (drawn, seeded_by_a)


def test_the_grading_process_itself_is_untouched_by_a(sequence):
    assert torch.get_default_dtype() == torch.float32
    assert F.cross_entropy is ORIGINAL_CROSS_ENTROPY and torch.nn.functional.cross_entropy is ORIGINAL_CROSS_ENTROPY
    assert torch.Tensor.__add__ is ORIGINAL_ADD
    assert "A_WAS_HERE" not in os.environ
    assert (torch.ones(1) + torch.ones(1)).item() == 2.0


@pytest.mark.slow
def test_with_cartpole_b_gets_full_marks_before_and_after_a(grade, tmp_path):
    paths = write_all(tmp_path)
    before = grade(paths["b"])
    attack = grade(paths["a"])
    after = grade(paths["b"])
    assert before["tests"][-1]["name"].endswith("Trains a CartPole-v1 policy")
    assert full_marks(before), scores(before)
    assert attack["extra_data"]["status"] == "graded"
    assert without_timings(before) == without_timings(after)
