"""Notebook submissions: static extraction (grader/submission/notebook.py) and grading end to end.

The fixtures are our own (tests/submissions/discrete/notebooks, rewritten by its
make.py), so the unit tests may execute the extracted code in-process to check
which `pseudo_loss` it defines. Student code proper only ever runs in the
sandbox, as in the end-to-end tests at the bottom.
"""

from __future__ import annotations

import ast
import json
import re
import sys
import textwrap
import time

import nbformat
import pytest
import torch
import torch.nn.functional as F
from conftest import SUBMISSIONS, scores
from submissions.discrete.notebooks import make

from grader.course import rubric
from grader.submission.extract import extract
from grader.submission.load import LoadError, load_submission

FUNCTION = rubric.exercise("discrete").parts[0].contract.function  # what the notebook must define
NOTEBOOKS = SUBMISSIONS / "notebooks"


def run(code: str):
    """The pseudo_loss the extracted code defines (our fixtures only)."""
    namespace: dict = {"__name__": "extracted"}
    exec(compile(code, "extracted.py", "exec"), namespace)
    return namespace["pseudo_loss"]


def expected_loss(logits, actions, q_values):
    return (F.cross_entropy(logits, actions, reduction="none") * q_values).mean()


def behaves_correctly(pseudo_loss) -> bool:
    torch.manual_seed(0)
    logits = torch.randn(32, 3, requires_grad=True)
    actions = torch.distributions.Categorical(logits=logits).sample()
    q_values = torch.randn(32)
    loss = pseudo_loss(logits, actions, q_values)
    (grad,) = torch.autograd.grad(loss, logits)
    want = expected_loss(logits, actions, q_values)
    (want_grad,) = torch.autograd.grad(want, logits)
    return loss.shape == () and torch.allclose(loss, want) and torch.allclose(grad, want_grad)


def notes_text(notes) -> str:
    return "\n".join(notes)


# --- the committed fixtures ---


def test_committed_notebooks_are_what_make_py_writes(tmp_path):
    for written in make.write_all(tmp_path):
        assert written.read_bytes() == (NOTEBOOKS / written.name).read_bytes(), (
            f"{written.name} is stale: run python tests/submissions/discrete/notebooks/make.py"
        )


def test_colab_fixture_looks_like_a_colab_download():
    notebook = json.loads((NOTEBOOKS / "colab_correct.ipynb").read_text())
    assert (notebook["nbformat"], notebook["nbformat_minor"]) == (4, 0)
    assert "colab" in notebook["metadata"] and notebook["metadata"]["accelerator"] == "GPU"
    code = [cell for cell in notebook["cells"] if cell["cell_type"] == "code"]
    assert all("id" in cell["metadata"] for cell in notebook["cells"])
    assert [c["execution_count"] for c in code if c["execution_count"]] == [1, 2, 3, 4, 5, 6, 7]
    outputs = [o for c in code for o in c["outputs"]]
    assert any("image/png" in o.get("data", {}) for o in outputs)
    assert any(o["output_type"] == "error" for o in outputs)
    nbformat.validate(nbformat.reads(json.dumps(notebook), as_version=4))


# --- extraction ---


def test_colab_notebook_keeps_the_definitions_and_lists_what_it_dropped():
    code, notes = extract(NOTEBOOKS / "colab_correct.ipynb", FUNCTION)
    ast.parse(code, feature_version=(3, 10))
    assert behaves_correctly(run(code))
    assert "# --- cell 5 ---" in code and "class Policy(nn.Module):" in code and "def train(" in code
    for gone in (
        "!pip",
        "%matplotlib",
        "%%time",
        "google.colab",
        "drive.mount",
        "print(",
        "while True",
        "returns = train(",
        "gym.make",
        "plt.",
        "torch.randn",
    ):
        assert gone not in code, gone
    text = notes_text(notes)
    assert "cells are numbered from the top of the notebook, text cells included" in text
    for listed in (
        "2 `!pip` lines",
        "`%matplotlib`",
        "`%%time`",
        "line 3 `while True: ...` (a loop)",
        "line 4 `returns = train(policy, env)` (an assignment from a call)",
        "`print('using', device)` (a call)",
        "`google.colab` exists only inside a notebook",
        "unused imports: `gymnasium`, `matplotlib.pyplot`",
    ):
        assert listed in text, listed


def test_the_last_definition_of_pseudo_loss_wins():
    code, notes = extract(NOTEBOOKS / "redefined.ipynb", FUNCTION)
    assert code.count("def pseudo_loss(") == 2
    assert behaves_correctly(run(code))
    assert "`pseudo_loss` is defined 2 times (cells 5, 9); the last one, in cell 9, is graded." in notes


def test_the_first_definition_alone_is_the_wrong_one(tmp_path):
    path = make.notebook(tmp_path, "first.ipynb", ["import torch", make.SUM_OVER_ACTIONS_LOSS])
    assert not behaves_correctly(run(extract(path, FUNCTION)[0]))


def test_truncated_notebook_is_refused_with_the_position():
    with pytest.raises(LoadError) as caught:
        extract(NOTEBOOKS / "truncated.ipynb", FUNCTION)
    message = str(caught.value)
    assert "`truncated.ipynb` is not a valid notebook" in message and "looks truncated" in message
    assert re.search(r"line \d+, column \d+", message)
    assert "Download it again" in message


def test_corrupt_notebook_is_refused_with_the_position():
    with pytest.raises(LoadError) as caught:
        extract(NOTEBOOKS / "corrupt.ipynb", FUNCTION)
    message = str(caught.value)
    assert "its JSON is corrupt" in message and re.search(r"line \d+, column 1", message)


def test_syntax_error_in_pseudo_loss_names_the_cell_and_line():
    with pytest.raises(LoadError) as caught:
        extract(NOTEBOOKS / "syntax_error.ipynb", FUNCTION)
    message = str(caught.value)
    assert message.startswith("syntax error in `syntax_error.ipynb`, cell 3 (cells are numbered from the top")
    assert "line 1: " in message and "`def pseudo_loss(logits, actions, q_values)`" in message


def test_missing_pseudo_loss_lists_the_functions_defined():
    with pytest.raises(LoadError) as caught:
        extract(NOTEBOOKS / "no_pseudo_loss.ipynb", FUNCTION)
    assert str(caught.value) == (
        "the notebook `no_pseudo_loss.ipynb` defines no function named `pseudo_loss` "
        "(it defines: `policy_gradient_loss`, `reward_to_go`)"
    )


def test_the_exercise_function_decides_what_is_kept_and_what_is_missing(tmp_path):
    """Nothing in the extraction is the discrete exercise's: it keeps what the contract's function
    needs, and says when that function is missing, whatever its name."""
    helper = "def weight(q):\n    return q * 2"
    value_loss = "def value_loss(values, returns):\n    return ((values - weight(returns)) ** 2).mean()"
    path = make.notebook(tmp_path, "values.ipynb", ["import torch\nimport numpy as np", helper, value_loss])
    code, notes = extract(path, "value_loss")
    assert "def value_loss(" in code and "def weight(" in code and "import numpy" not in code
    assert notes == [
        "Dropped from the notebook (not run by the grader; cells are numbered from the top of the "
        "notebook, text cells included):\n- unused imports: `torch`, `numpy`"
    ]
    with pytest.raises(LoadError) as caught:
        extract(path, FUNCTION)
    assert str(caught.value) == (
        "the notebook `values.ipynb` defines no function named `pseudo_loss` (it defines: `weight`, `value_loss`)"
    )


def test_nbformat_3_notebook_is_upgraded():
    assert json.loads((NOTEBOOKS / "v3_correct.ipynb").read_text())["nbformat"] == 3
    code, notes = extract(NOTEBOOKS / "v3_correct.ipynb", FUNCTION)
    assert behaves_correctly(run(code))
    assert notes == [
        "Dropped from the notebook (not run by the grader; cells are numbered from the top of the "
        "notebook, text cells included):\n- 1 magic (`%pylab`)\n- unused imports: `torch`"
    ]


def test_scratch_cell_that_defines_nothing_is_skipped_with_a_note():
    code, notes = extract(NOTEBOOKS / "scratch_cell.ipynb", FUNCTION)
    assert behaves_correctly(run(code)) and "logits.shape(" not in code
    assert len(notes) == 2 and notes[0].endswith("- unused imports: `torch`")
    assert re.fullmatch(r"Skipped, because not valid Python and defining nothing: cell 3 \(line \d: .+\)\.", notes[1])


@pytest.mark.parametrize(
    "broken, where",
    [
        ("loss = pseudo_loss(logits, actions,\nprint(loss)", "cell 2"),  # mentions pseudo_loss
        ("def reward_to_go(rewards)\n    return rewards", "cell 2"),  # defines a helper
    ],
)
def test_unparseable_cell_that_matters_fails_loudly(tmp_path, broken, where):
    path = make.notebook(tmp_path, "broken.ipynb", [make.CORRECT_LOSS, broken])
    with pytest.raises(LoadError, match=f"syntax error in `broken.ipynb`, {where} .*line "):
        extract(path, FUNCTION)


@pytest.mark.parametrize(
    "cells, hint",
    [
        (
            ["import torch", 'if __name__ == "__main__":\n' + textwrap.indent(make.CORRECT_LOSS, "    ")],
            "defined only in cell 2 line 1 (the `__main__` block), which the grader does not run: define it at the top "
            "level of a normal code cell",
        ),
        (
            [
                "import torch",
                "try:\n    import torch.nn.functional as F\n"
                + textwrap.indent(make.CORRECT_LOSS, "    ")
                + "\nexcept ImportError:\n    pass",
            ],
            "in cell 2 line 1 (a `try` block)",
        ),
        (
            ["%%writefile solution.py\nimport torch\n" + make.CORRECT_LOSS, "from solution import *"],
            "in cell 1 (a `%%writefile` cell, not run as Python)",
        ),
        (
            ["import torch", make.CORRECT_LOSS.replace("def pseudo_loss", "def pseudo_loss_v2")],
            "Did you mean to name `pseudo_loss_v2` `pseudo_loss`?",
        ),
        ([], "(it defines no functions at all)"),
    ],
)
def test_missing_pseudo_loss_says_where_it_went(tmp_path, cells, hint):
    path = make.notebook(tmp_path, "missing.ipynb", cells)
    with pytest.raises(LoadError) as caught:
        extract(path, FUNCTION)
    assert str(caught.value).startswith("the notebook `missing.ipynb` defines no function named `pseudo_loss`")
    assert hint in str(caught.value)


def test_ipython_lines_are_dropped_even_indented_but_not_inside_strings(tmp_path):
    source = (
        "import torch\nimport torch.nn.functional as F\n"
        "  !nvidia-smi\n"
        'HELP = """\n!this stays\n%and so does this\n"""\n'
        "files = !ls\n"
        "F.log_softmax?\n"
        "??F.cross_entropy\n"
        "def pseudo_loss(logits, actions, q_values):\n"
        "    %time x = 1\n"
        '    return F.cross_entropy(logits, actions, reduction="none").mul(q_values).mean()\n'
        "for step in range(3):\n"
        "    !echo {step}\n"
    )
    code, notes = extract(make.notebook(tmp_path, "magics.ipynb", [source]), FUNCTION)
    assert behaves_correctly(run(code))
    assert "!this stays\n%and so does this" in code and "nvidia" not in code and "?" not in code
    assert "    pass  # an IPython line, dropped" in code
    text = notes_text(notes)
    assert "1 `!nvidia-smi` line, 1 `!ls` line, 1 `!echo` line, 1 magic (`%time`), 2 help lines" in text
    assert "line 14 `for step in range(3): ...` (a loop)" in text


@pytest.mark.parametrize(
    "magic, kept",
    [("%%time", True), ("%%capture out", True), ("%%bash", False), ("%%writefile helper.py", False), ("%%html", False)],
)
def test_cell_magics_wrap_python_or_not(tmp_path, magic, kept):
    helper = "def helper(x):\n    return x"
    path = make.notebook(
        tmp_path,
        "cell_magic.ipynb",
        ["import torch\n" + make.CORRECT_LOSS.replace("F.log_softmax", "torch.log_softmax"), f"{magic}\n{helper}"],
    )
    code, notes = extract(path, FUNCTION)
    assert ("def helper(x):" in code) == kept
    assert (f"cell 2 (a `{magic.split()[0]}` cell)" in notes_text(notes)) == (not kept)


def test_a_line_separator_inside_a_string_is_no_line_break(tmp_path):
    """Python ends a line only at \\n, \\r\\n or \\r: a U+2028 or U+2029 in a string of a cell with
    an IPython line (str.splitlines breaks there) leaves the string whole."""
    cells = ["!pip install torch\nNOTE = 'a\u2028b\u2029c'", "import torch.nn.functional as F\n" + make.CORRECT_LOSS]
    code, notes = extract(make.notebook(tmp_path, "separators.ipynb", cells), FUNCTION)
    assert "NOTE = 'a\u2028b\u2029c'" in code and "!pip" not in code
    assert behaves_correctly(run(code))


def test_constants_and_aliases_are_kept_computed_values_are_not(tmp_path):
    cells = [
        "import torch\nimport gym\nfrom google.colab import drive",
        "F = torch.nn.functional\nEPS = 1e-8\nSHAPE = (2, 3)\nSCALE = -2 ** 3\nnames = ['a', 'b']\n"
        "square = lambda x: x * x",
        "device = torch.device('cpu')\nn_actions = env.action_space.n\ntorch.backends.cudnn.benchmark = True",
        "def pseudo_loss(logits, actions, q_values):\n"
        "    taken = F.log_softmax(logits.to(device), dim=1).gather(1, actions[:, None]).squeeze(1)\n"
        "    return -(taken * q_values * square(1)).mean()\n",
    ]
    code, notes = extract(make.notebook(tmp_path, "constants.ipynb", cells), FUNCTION)
    for kept in (
        "F = torch.nn.functional",
        "EPS = 1e-8",
        "SHAPE = (2, 3)",
        "SCALE = -2 ** 3",
        "names = ['a', 'b']",
        "square = lambda x: x * x",
    ):
        assert kept in code, kept
    text = notes_text(notes)
    for dropped in (
        "`import gym` (`gym` is not installed on the grader)",
        "`device = torch.device('cpu')` (an assignment from a call)",
        "`n_actions = env.action_space.n` (uses `env`, which is dropped)",
        "`torch.backends.cudnn.benchmark = True` (an assignment to an attribute or item)",
    ):
        assert dropped in text, dropped
    assert (
        "Warning: your code uses `device`, but the grader does not run the statement that sets it "
        "(cell 3 line 1: an assignment from a call)."
    ) in text


@pytest.mark.skipif(sys.version_info < (3, 11), reason="on 3.10 this is a plain syntax error")
def test_syntax_newer_than_python_3_10_is_refused(tmp_path):
    body = (
        "def pseudo_loss(logits, actions, q_values):\n    try:\n        pass\n    except* ValueError:\n        pass\n"
    )
    path = make.notebook(tmp_path, "new.ipynb", [body])
    with pytest.raises(
        LoadError,
        match=r"Python 3\.10, the grader's Python, does not have in `new.ipynb`, "
        r"cell 1 .*line \d: .*3\.11",
    ):
        extract(path, FUNCTION)


def test_future_import_is_hoisted_to_the_top(tmp_path):
    path = make.notebook(
        tmp_path,
        "future.ipynb",
        ["import torch\nimport torch.nn.functional as F", "from __future__ import annotations\n" + make.CORRECT_LOSS],
    )
    code, _ = extract(path, FUNCTION)
    assert code.splitlines()[2] == "from __future__ import annotations"
    assert behaves_correctly(run(code))


def test_a_notebook_that_does_not_validate_is_still_read(tmp_path):
    notebook = {
        "nbformat": 4,
        "nbformat_minor": 0,
        "metadata": {"colab": {}},
        "cells": [
            {
                "cell_type": "code",
                "metadata": {},  # no outputs, no execution_count
                "source": ["import torch.nn.functional as F\n"],
            },
            {
                "cell_type": "code",
                "metadata": {},
                "source": make.CORRECT_LOSS,
                "outputs": [],
                "execution_count": None,
                "unexpected": True,
            },
        ],
    }
    path = tmp_path / "loose.ipynb"
    path.write_text(json.dumps(notebook))
    with pytest.raises(nbformat.ValidationError):
        nbformat.validate(nbformat.reads(path.read_text(), as_version=4))
    code, notes = extract(path, FUNCTION)
    assert behaves_correctly(run(code)) and notes == []


@pytest.mark.parametrize(
    "content, message",
    [
        (b"", "`bad.ipynb` is empty"),
        (b"\x89PNG\r\n\x1a\n\0\0", "`bad.ipynb` is a binary file, not a notebook"),
        (
            b"import torch\n\ndef pseudo_loss(l, a, q):\n    return l.sum()\n",
            "`bad.ipynb` is not a notebook: it contains Python source, not notebook JSON",
        ),
        (b"[]", "`bad.ipynb` is not a notebook the grader can read"),
        (b'{"nbformat": 9, "cells": []}', "`bad.ipynb` is not a notebook the grader can read"),
        (
            b'{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": [{"cell_type": "code", "source": 7, '
            b'"metadata": {}}]}',
            "`bad.ipynb` is damaged: the source of cell 1 is not text",
        ),
        (b"\xff\xfe{}", "`bad.ipynb` is not UTF-8 text (byte 0 is not valid)"),
        (
            b'{"nbformat": 4, "nbformat_minor": 4.0, "metadata": {}, "cells": []}',  # nbformat asserted on these
            "`bad.ipynb` is not a valid notebook: its `nbformat_minor` is `4.0`, not a whole number",
        ),
        (
            b'{"nbformat": "4", "nbformat_minor": 4, "metadata": {}, "cells": []}',
            '`bad.ipynb` is not a valid notebook: its `nbformat` is `"4"`, not a whole number',
        ),
        (
            b'{"nbformat": 4, "nbformat_minor": [], "metadata": {}, "cells": []}',
            "`bad.ipynb` is not a valid notebook: its `nbformat_minor` is a list, not a whole number",
        ),
        (b'"notebook"', "`bad.ipynb` is not a notebook the grader can read: its JSON is a string, not an object"),
        (b"[" * 100_000 + b"]" * 100_000, "`bad.ipynb` is not a notebook the grader can read: its JSON is nested too"),
    ],
)
def test_unusable_files_get_a_specific_message(tmp_path, content, message):
    path = tmp_path / "bad.ipynb"
    path.write_bytes(content)
    with pytest.raises(LoadError) as caught:
        extract(path, FUNCTION)
    assert str(caught.value).startswith(message), str(caught.value)


def test_nothing_in_the_notebook_runs_during_extraction(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = make.notebook(
        tmp_path,
        "effects.ipynb",
        [
            "open('from_a_statement', 'w').write('x')\n!touch from_a_shell_line",
            "%%bash\ntouch from_a_cell_magic",
            "import torch\n"
            + make.CORRECT_LOSS.replace("F.log_softmax", "torch.log_softmax")
            + "\n\nopen('from_a_call_after_the_definition', 'w')",
        ],
    )
    code, _ = extract(path, FUNCTION)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["effects.ipynb"]
    assert "open(" not in code


def test_a_helper_module_beside_the_notebook_counts_as_installed(tmp_path):
    (tmp_path / "loss_helpers.py").write_text("def weight(q):\n    return q\n")
    path = make.notebook(
        tmp_path,
        "pseudo_loss.ipynb",
        [
            "import torch\nimport torch.nn.functional as F\nfrom loss_helpers import weight",
            make.CORRECT_LOSS.replace("* q_values", "* weight(q_values)"),
        ],
    )
    source = load_submission(tmp_path, FUNCTION)
    assert source.graded == path and "from loss_helpers import weight" in source.files["submission.py"]
    assert "loss_helpers.py" in source.files


def test_the_loader_passes_the_notes_on():
    source = load_submission(NOTEBOOKS / "colab_correct.ipynb", FUNCTION)
    assert source.graded.name == "colab_correct.ipynb"
    assert "def pseudo_loss(" in source.files["submission.py"]
    assert any(note.startswith("Dropped from the notebook") for note in source.notes)


# --- issue 15: long cells, validation that crashes, definitions that fail at import, .py names ---


def extraction_seconds(path, repeats: int = 2) -> float:
    """CPU time of the fastest of `repeats` extractions: other processes on the machine do not count."""
    best = float("inf")
    for _ in range(repeats):
        start = time.process_time()
        code, _ = extract(path, FUNCTION)
        best = min(best, time.process_time() - start)
    assert behaves_correctly(run(code))
    return best


def test_a_cell_of_thousands_of_one_line_statements_is_extracted_in_linear_time(tmp_path):
    # Each statement used to re-split the whole cell: 5,000 lines took 40 s.
    large = make.long_cell(tmp_path, 30_000)
    assert 450_000 < large.stat().st_size < 700_000
    large_seconds = extraction_seconds(large)
    small_seconds = extraction_seconds(make.long_cell(tmp_path, 15_000))
    assert large_seconds < 5.0
    assert large_seconds < 3 * small_seconds, (small_seconds, large_seconds)  # quadratic would be 4 times
    _, notes = extract(large, FUNCTION)
    assert "cell 2: line 2 `print(x1)` (a call)" in notes_text(notes)


def test_many_statements_on_one_line_are_extracted_in_linear_time(tmp_path):
    line = "; ".join(f"x{i} = {i}" if i % 2 else f"print({i})" for i in range(20_000))
    path = make.notebook(tmp_path, "one_line.ipynb", ["import torch.nn.functional as F", line, make.CORRECT_LOSS])
    assert extraction_seconds(path, repeats=1) < 5.0
    code, _ = extract(path, FUNCTION)
    assert "x19999 = 19999" in code and "print(" not in code


def test_a_notebook_nbformat_asserts_on_is_refused_with_what_is_wrong():
    with pytest.raises(LoadError) as caught:
        extract(NOTEBOOKS / "nbformat_minor_text.ipynb", FUNCTION)
    assert str(caught.value) == (
        "`nbformat_minor_text.ipynb` is not a valid notebook: its `nbformat_minor` is "
        '`"4"`, not a whole number. Download it again (in Colab: File → Download → '
        "Download .ipynb) and submit that file."
    )


def test_a_notebook_nbformat_asserts_on_is_graded_zero_not_a_grader_error(grade):
    document = grade(NOTEBOOKS / "nbformat_minor_text.ipynb", learning=False)
    assert document["extra_data"]["status"] == "not graded" and document["score"] == 0
    assert 'its `nbformat_minor` is `"4"`, not a whole number' in document["output"]


DROPPED_AT_DEFINITION = (
    "line 1 `def to_tensor(x, dev=device): ...` (uses `device` when defined, which is dropped, and "
    "`pseudo_loss` does not need it)",
    "line 9 `def sample_actions(n, generator=rng): ...` (uses `rng` when defined, which is dropped",
    "line 13 `as_tensor = to_tensor` (uses `to_tensor` when defined, which is dropped",  # dropped in turn
    "line 16 `class Runner: ...` (uses `device` when defined, which is dropped",
)


def test_unused_definitions_that_would_fail_at_import_are_dropped_and_listed():
    code, notes = extract(NOTEBOOKS / "helper_default_dropped.ipynb", FUNCTION)
    assert behaves_correctly(run(code))  # the import used to fail: NameError: name 'device' is not defined
    assert "def discount(rewards, gamma=GAMMA):" in code and "GAMMA = 0.99" in code  # its default is kept
    for gone in ("def to_tensor", "def sample_actions", "as_tensor", "class Runner", "device", "rng"):
        assert gone not in code, gone
    text = notes_text(notes)
    for listed in DROPPED_AT_DEFINITION:
        assert listed in text, listed
    assert "Warning" not in text  # nothing kept reads what is gone


def test_unused_definitions_that_would_fail_at_import_are_graded_with_full_marks(grade):
    document = grade(NOTEBOOKS / "helper_default_dropped.ipynb", learning=False)
    assert document["score"] == max_score(document), scores(document)
    assert all(listed in document["output"] for listed in DROPPED_AT_DEFINITION)


def test_a_definition_pseudo_loss_needs_is_kept_and_its_missing_default_named(tmp_path):
    path = make.notebook(
        tmp_path,
        "needed.ipynb",
        [
            "import torch.nn.functional as F\nSCALE = float('1.0')",
            "def weight(q, scale=SCALE):\n    return q * scale",
            make.CORRECT_LOSS.replace("* q_values", "* weight(q_values)"),
        ],
    )
    code, notes = extract(path, FUNCTION)
    assert "def weight(q, scale=SCALE):" in code  # NameError at import, which is the student's to fix
    assert (
        "Warning: your code uses `SCALE`, but the grader does not run the statement that sets it "
        "(cell 1 line 2: an assignment from a call)."
    ) in notes_text(notes)


@pytest.mark.parametrize("future, kept", [("", False), ("from __future__ import annotations\n", True)])
def test_annotations_count_as_used_at_definition_unless_postponed(tmp_path, future, kept):
    path = make.notebook(
        tmp_path,
        "annotated.ipynb",
        [
            future + "import torch.nn.functional as F\nfrom gym import Env",
            "def rollout(env: Env) -> list:\n    return []\n\n@decorate\ndef plot(x):\n    pass",
            make.CORRECT_LOSS,
        ],
    )
    code, notes = extract(path, FUNCTION)
    assert ("def rollout(env: Env)" in code) == kept and "def plot" not in code
    assert behaves_correctly(run(code))
    text = notes_text(notes)
    assert "line 4 `@decorate ...` (uses `decorate` when defined, which is not defined before it" in text
    assert ("line 1 `def rollout(env: Env) -> list: ...` (uses `Env` when defined, which is dropped" in text) != kept


def test_a_notebook_saved_with_a_py_name_is_graded_as_a_notebook():
    source = load_submission(NOTEBOOKS / "notebook_saved_as.py", FUNCTION)
    assert source.graded.name == "notebook_saved_as.py"
    assert source.notes[0] == (
        "`notebook_saved_as.py` is a Jupyter notebook saved with a `.py` name: it was "
        "graded as a notebook (next time, submit it as `.ipynb`)."
    )
    assert source.notes[1].startswith("Dropped from the notebook")
    assert behaves_correctly(run(source.files["submission.py"]))


@pytest.mark.slow
def test_a_notebook_saved_with_a_py_name_gets_full_marks(grade):
    document = grade(NOTEBOOKS / "notebook_saved_as.py", learning=False)
    assert document["score"] == max_score(document), scores(document)
    assert "is a Jupyter notebook saved with a `.py` name" in document["output"]


def test_a_broken_notebook_saved_with_a_py_name_says_it_is_a_notebook(tmp_path):
    (tmp_path / "hw3.py").write_text((NOTEBOOKS / "no_pseudo_loss.ipynb").read_text())
    with pytest.raises(LoadError) as caught:
        load_submission(tmp_path / "hw3.py", FUNCTION)
    assert str(caught.value).startswith(
        "`hw3.py` is a Jupyter notebook saved with a `.py` name; graded as a "
        "notebook: the notebook `hw3.py` defines no function named `pseudo_loss`"
    )
    assert "null" not in str(caught.value)


def test_a_notebook_with_a_py_name_in_a_folder_is_picked_as_defining_pseudo_loss(tmp_path):
    (tmp_path / "a_plots.py").write_text("import matplotlib\n")
    (tmp_path / "hw3.py").write_text((NOTEBOOKS / "colab_correct.ipynb").read_text())
    source = load_submission(tmp_path, FUNCTION)
    assert source.graded.name == "hw3.py" and "def pseudo_loss(" in source.files["submission.py"]


# --- end to end, through the sandbox ---


def max_score(document: dict) -> float:
    return sum(test["max_score"] for test in document["tests"])


@pytest.mark.slow
def test_correct_colab_notebook_gets_full_marks(grade):
    document = grade(NOTEBOOKS / "colab_correct.ipynb")
    assert document["score"] == max_score(document), scores(document)
    assert document["extra_data"]["mistakes"] == []
    assert "Dropped from the notebook" in document["output"] and "`while True: ...` (a loop)" in document["output"]


def test_sign_flipped_notebook_scores_low(grade):
    document = grade(NOTEBOOKS / "colab_sign_flipped.ipynb", learning=False)
    got = scores(document)
    assert got["Loss value equals the reference"] == 0 and got["Gradient dL/dlogits equals the reference"] == 0
    assert document["score"] <= 0.25 * max_score(document)
    mistakes = document["extra_data"]["mistakes"]
    assert not mistakes or "sign_flipped" in mistakes  # the diagnosis may not be wired in yet


def test_truncated_notebook_scores_zero_with_the_reason(grade):
    document = grade(NOTEBOOKS / "truncated.ipynb", learning=False)
    assert document["score"] == 0
    assert "`truncated.ipynb` is not a valid notebook" in document["output"]
    assert "looks truncated" in document["output"]


def test_a_loss_module_built_at_module_level_is_kept_a_constructor_of_a_call_is_not():
    code, notes = extract(NOTEBOOKS / "module_criterion.ipynb", FUNCTION)
    assert "criterion = nn.CrossEntropyLoss()" in code and "EPS = 1e-8" in code
    assert "explorer" not in code  # Categorical(logits=torch.zeros(2)) calls torch.zeros first
    assert "line 2 `explorer = Categorical(...)` (an assignment from a call)" in notes_text(notes)


@pytest.mark.parametrize(
    "line, kept",
    [
        ("criterion = torch.nn.CrossEntropyLoss(reduction='none')", True),
        ("log_softmax = nn.LogSoftmax(dim=-1)", True),
        ("prior = Normal(0.0, 1.0)", True),
        ("criterion = nn.CrossEntropyLoss(weight=make_weights())", False),  # the argument is a call
        ("criterion = build_loss()", False),  # not a known constructor
        ("criterion = unknown.CrossEntropyLoss()", False),  # `unknown` is bound by nothing kept
    ],
)
def test_only_known_safe_constructors_of_simple_arguments_are_kept(tmp_path, line, kept):
    cells = ["import torch\nfrom torch import nn\nfrom torch.distributions import Normal", line, make.CORRECT_LOSS]
    code, _ = extract(
        make.notebook(tmp_path, "constructor.ipynb", ["import torch.nn.functional as F"] + cells), FUNCTION
    )
    assert (line in code) == kept


def test_a_module_level_criterion_is_graded_on_its_real_bug(grade):
    document = grade(NOTEBOOKS / "module_criterion.ipynb", learning=False)
    assert document["extra_data"]["mistakes"] == ["weight_after_reduction"]
    assert "NameError" not in json.dumps(document)
