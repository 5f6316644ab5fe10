"""Notebook submissions for the tests, built with nbformat; run this file to rewrite the committed copies.

    python tests/submissions/notebooks/make.py      # rewrites the .ipynb files beside it

Each builder writes one notebook into a directory and returns its path, so a
test can also build into tmp_path. The Colab ones look like what Colab's
File → Download → Download .ipynb produces: nbformat 4.0, `colab` and
`accelerator` metadata, cell ids in cell metadata, execution counts, and
outputs (a training log, a plot as a PNG, an interrupted endless loop).
"""
from __future__ import annotations

import base64
import json
import struct
import zlib
from pathlib import Path
from typing import Callable, Dict, List, Sequence, Union

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

HERE = Path(__file__).resolve().parent
Cell = Union[str, dict]  # a str is a code cell's source; pass new_markdown_cell(...) for a text cell

CORRECT_LOSS = '''\
def pseudo_loss(logits, actions, q_values):
    """-(1/N) sum_i log pi(a_i|s_i) q_i: its gradient is minus the policy gradient."""
    log_probs = F.log_softmax(logits, dim=-1)
    taken = log_probs.gather(1, actions.unsqueeze(1)).squeeze(1)
    return -(taken * q_values).mean()'''

# The seed proposal of the exercise: softmax sums to one, so this is mean(q) / A.
SUM_OVER_ACTIONS_LOSS = '''\
def pseudo_loss(logits, actions, q_values):
    probs = torch.softmax(logits, dim=1)
    return (probs * q_values[:, None]).mean()'''


def _png(width: int = 8, height: int = 6) -> str:
    """A small valid grey PNG, base64 encoded as a notebook stores it."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    rows = b"".join(b"\0" + bytes((x * 30 + y * 10) % 256 for x in range(width)) for y in range(height))
    png = (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
           + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))
    return base64.b64encode(png).decode() + "\n"


def _colab_cells(loss: str) -> List[dict]:
    """A student's Colab notebook: setup, the loss, a smoke test, training, a plot, an endless demo loop."""
    return [
        new_markdown_cell("# Policy gradient: the pseudo-loss\n\nImplement `pseudo_loss` below, then train."),
        _ran(new_code_cell("!pip install gymnasium==1.0.0 --quiet\n!pip install -q torch"), 1,
             [new_output("stream", name="stdout", text="Requirement already satisfied: torch\n")]),
        _ran(new_code_cell(
            "%matplotlib inline\n"
            "import numpy as np\n"
            "import torch\n"
            "import torch.nn as nn\n"
            "import torch.nn.functional as F\n"
            "import gymnasium as gym\n"
            "from google.colab import drive\n"
            "drive.mount('/content/drive')\n"
            "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\n"
            "print('using', device)"), 2,
            [new_output("stream", name="stdout", text="Mounted at /content/drive\nusing cuda\n")]),
        new_markdown_cell("## The loss\n\nL = -(1/N) sum_i log pi(a_i|s_i) q_i"),
        _ran(new_code_cell("%%time\n" + loss), 3,
             [new_output("stream", name="stdout", text="CPU times: user 5 µs, sys: 1 µs, total: 6 µs\n")]),
        _ran(new_code_cell(
            "logits = torch.randn(5, 2, requires_grad=True)\n"
            "actions = torch.distributions.Categorical(logits=logits).sample()\n"
            "q = torch.randn(5)\n"
            "loss = pseudo_loss(logits, actions, q)\n"
            "print(loss)\n"
            "loss.backward()\n"
            "logits.grad"), 4,
            [new_output("stream", name="stdout", text="tensor(0.3132, grad_fn=<NegBackward0>)\n"),
             new_output("execute_result", execution_count=4,
                        data={"text/plain": "tensor([[ 0.1, -0.1],\n        [-0.2,  0.2]])"})]),
        _ran(new_code_cell(
            "HIDDEN = 64\n"
            "GAMMA = 0.99\n"
            "LEARNING_RATE = 1e-2\n"
            "\n"
            "class Policy(nn.Module):\n"
            "    def __init__(self, obs_dim=4, n_actions=2):\n"
            "        super().__init__()\n"
            "        self.net = nn.Sequential(nn.Linear(obs_dim, HIDDEN), nn.Tanh(), nn.Linear(HIDDEN, n_actions))\n"
            "\n"
            "    def forward(self, obs):\n"
            "        return self.net(obs)\n"
            "\n"
            "def reward_to_go(rewards, gamma=GAMMA):\n"
            "    out, running = [], 0.0\n"
            "    for r in reversed(rewards):\n"
            "        running = r + gamma * running\n"
            "        out.append(running)\n"
            "    return out[::-1]\n"
            "\n"
            "def train(policy, env, iterations=50):\n"
            "    optimizer = torch.optim.Adam(policy.parameters(), lr=LEARNING_RATE)\n"
            "    returns = []\n"
            "    for it in range(iterations):\n"
            "        obs, _ = env.reset()\n"
            "        batch_obs, batch_act, batch_rew = [], [], []\n"
            "        done = False\n"
            "        while not done:\n"
            "            logits = policy(torch.as_tensor(obs, dtype=torch.float32))\n"
            "            action = torch.distributions.Categorical(logits=logits).sample().item()\n"
            "            batch_obs.append(obs); batch_act.append(action)\n"
            "            obs, reward, terminated, truncated, _ = env.step(action)\n"
            "            batch_rew.append(reward)\n"
            "            done = terminated or truncated\n"
            "        q = torch.as_tensor(reward_to_go(batch_rew), dtype=torch.float32)\n"
            "        q = (q - q.mean()) / (q.std() + 1e-8)\n"
            "        logits = policy(torch.as_tensor(np.array(batch_obs), dtype=torch.float32))\n"
            "        loss = pseudo_loss(logits, torch.as_tensor(batch_act), q)\n"
            "        optimizer.zero_grad(); loss.backward(); optimizer.step()\n"
            "        returns.append(sum(batch_rew))\n"
            "    return returns"), 5, []),
        _ran(new_code_cell(
            "import matplotlib.pyplot as plt\n"
            "env = gym.make('CartPole-v1')\n"
            "policy = Policy().to(device)\n"
            "returns = train(policy, env)\n"
            "print('final return', returns[-1])\n"
            "plt.plot(returns)\n"
            "plt.show()"), 6,
            [new_output("stream", name="stdout", text="final return 500.0\n"),
             new_output("display_data", data={"image/png": _png(), "text/plain": "<Figure size 640x480 with 1 Axes>"},
                        metadata={"needs_background": "light"})]),
        _ran(new_code_cell(
            "# watch the trained agent forever (stop the cell to end)\n"
            "obs, _ = env.reset()\n"
            "while True:\n"
            "    action = policy(torch.as_tensor(obs)).argmax().item()\n"
            "    obs, reward, terminated, truncated, _ = env.step(action)\n"
            "    if terminated or truncated:\n"
            "        obs, _ = env.reset()"), 7,
            [new_output("error", ename="KeyboardInterrupt", evalue="",
                        traceback=["KeyboardInterrupt                         Traceback (most recent call last)"])]),
        new_code_cell(""),
    ]


def _ran(cell: dict, count: int, outputs: list) -> dict:
    cell["execution_count"] = count
    cell["outputs"] = outputs
    return cell


def _as_colab(cells: List[dict], name: str) -> dict:
    """Colab's shape: nbformat 4.0, ids in cell metadata, Colab's own notebook metadata."""
    notebook = new_notebook(cells=cells, metadata={
        "colab": {"provenance": [], "gpuType": "T4", "name": name},
        "kernelspec": {"name": "python3", "display_name": "Python 3"},
        "language_info": {"name": "python"},
        "accelerator": "GPU",
    })
    notebook.nbformat_minor = 0
    for number, cell in enumerate(notebook.cells):
        cell.pop("id", None)
        cell.metadata["id"] = f"c{number:02d}{name[:6].replace('.', '')}"
        if cell.cell_type == "code" and cell.outputs:
            cell.metadata["colab"] = {"base_uri": "https://localhost:8080/", "height": 430}
            cell.metadata["outputId"] = f"o{number:02d}-0000-4000-8000-000000000000"
    return notebook


def _write(directory: Path, name: str, notebook: dict) -> Path:
    nbformat.validate(notebook)  # every fixture but the broken ones is a valid notebook
    path = Path(directory) / name
    path.write_text(json.dumps(notebook, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def notebook(directory: Path, name: str, cells: Sequence[Cell]) -> Path:
    """A plain Jupyter notebook (nbformat 4.5): each str is a code cell's source, a dict is used as is."""
    nb = new_notebook(cells=[new_code_cell(c) if isinstance(c, str) else c for c in cells])
    for number, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{number}"
    return _write(directory, name, nb)


def colab_correct(directory: Path) -> Path:
    return _write(directory, "colab_correct.ipynb", _as_colab(_colab_cells(CORRECT_LOSS), "colab_correct.ipynb"))


def colab_sign_flipped(directory: Path) -> Path:
    """The same notebook with `+` where the minus belongs: gradient ascent turned into descent."""
    flipped = CORRECT_LOSS.replace("return -(taken", "return +(taken")
    return _write(directory, "colab_sign_flipped.ipynb",
                  _as_colab(_colab_cells(flipped), "colab_sign_flipped.ipynb"))


def redefined(directory: Path) -> Path:
    """pseudo_loss twice: first the softmax-times-q proposal, later the correct one; the last must win."""
    cells = _colab_cells(SUM_OVER_ACTIONS_LOSS)
    cells.insert(8, _ran(new_code_cell("# second try, after reading the handout\n" + CORRECT_LOSS), 8, []))
    return _write(directory, "redefined.ipynb", _as_colab(cells, "redefined.ipynb"))


def truncated(directory: Path) -> Path:
    """The correct Colab notebook cut off mid-file, as an interrupted download leaves it."""
    text = json.dumps(_as_colab(_colab_cells(CORRECT_LOSS), "truncated.ipynb"), indent=2, ensure_ascii=False)
    path = Path(directory) / "truncated.ipynb"
    path.write_text(text[:len(text) * 3 // 5], encoding="utf-8")
    return path


def corrupt(directory: Path) -> Path:
    """The correct notebook after a botched git merge: conflict markers inside the JSON."""
    lines = json.dumps(_as_colab(_colab_cells(CORRECT_LOSS), "corrupt.ipynb"), indent=2).splitlines()
    middle = len(lines) // 2
    lines[middle:middle] = ["<<<<<<< HEAD", lines[middle], "=======", ">>>>>>> origin/main"]
    path = Path(directory) / "corrupt.ipynb"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def syntax_error(directory: Path) -> Path:
    """pseudo_loss in cell 3 (a markdown cell comes first) is missing the colon after its signature."""
    broken = CORRECT_LOSS.replace("q_values):", "q_values)", 1)
    return notebook(directory, "syntax_error.ipynb",
                    [new_markdown_cell("## The pseudo-loss"), "import torch\nimport torch.nn.functional as F", broken])


def module_criterion(directory: Path) -> Path:
    """A loss built at module level, `criterion = nn.CrossEntropyLoss()`, which the function uses: the
    line is kept, so the grade is about the real bug (mean-reduced before weighting), not a NameError."""
    return notebook(directory, "module_criterion.ipynb", [
        "import torch\nfrom torch import nn\nfrom torch.distributions import Categorical",
        "criterion = nn.CrossEntropyLoss()\nexplorer = Categorical(logits=torch.zeros(2))\nEPS = 1e-8",
        "def pseudo_loss(logits, actions, q_values):\n    return criterion(logits, actions) * q_values.mean()",
    ])


def no_pseudo_loss(directory: Path) -> Path:
    """The right loss under another name."""
    renamed = CORRECT_LOSS.replace("def pseudo_loss", "def policy_gradient_loss")
    return notebook(directory, "no_pseudo_loss.ipynb",
                    ["import torch\nimport torch.nn.functional as F", renamed,
                     "def reward_to_go(rewards):\n    return rewards"])


def scratch_cell(directory: Path) -> Path:
    """A correct notebook with a half-typed scratch cell that defines nothing: graded, cell noted."""
    return notebook(directory, "scratch_cell.ipynb",
                    ["import torch\nimport torch.nn.functional as F", CORRECT_LOSS, "logits.shape(\nprint(q"])


def v3_correct(directory: Path) -> Path:
    """An old nbformat 3 notebook (worksheets, `input`, `prompt_number`), which nbformat upgrades."""
    nb = new_notebook(cells=[new_markdown_cell("Old notebook"),
                             new_code_cell("import torch\nimport torch.nn.functional as F\n%pylab inline"),
                             new_code_cell(CORRECT_LOSS)])
    path = Path(directory) / "v3_correct.ipynb"
    path.write_text(nbformat.writes(nb, version=3), encoding="utf-8")
    assert json.loads(path.read_text())["nbformat"] == 3
    return path


def saved_as_py(directory: Path) -> Path:
    """The correct Colab notebook's JSON under a .py name, as "Save as" with the wrong extension leaves it."""
    notebook = _as_colab(_colab_cells(CORRECT_LOSS), "notebook_saved_as.py")
    nbformat.validate(notebook)
    path = Path(directory) / "notebook_saved_as.py"
    path.write_text(json.dumps(notebook, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def nbformat_minor_text(directory: Path) -> Path:
    """A correct notebook whose `nbformat_minor` is the string "4" (a hand edit): nbformat asserts on it."""
    notebook = new_notebook(cells=[new_code_cell("import torch\nimport torch.nn.functional as F"),
                                   new_code_cell(CORRECT_LOSS)])
    notebook.nbformat_minor = 4
    for cell in notebook.cells:
        cell.pop("id", None)
    nbformat.validate(notebook)
    text = json.dumps(notebook, indent=1).replace('"nbformat_minor": 4', '"nbformat_minor": "4"')
    path = Path(directory) / "nbformat_minor_text.ipynb"
    path.write_text(text + "\n", encoding="utf-8")
    return path


def helper_default_dropped(directory: Path) -> Path:
    """Helpers whose default values and decorator name what the grader drops (`device` is set by a call),
    beside a self-contained correct pseudo_loss that needs none of them."""
    return notebook(directory, "helper_default_dropped.ipynb", [
        "import numpy as np\nimport torch\nimport torch.nn.functional as F",
        "device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')\nGAMMA = 0.99\n"
        "rng = np.random.default_rng(0)",
        "def to_tensor(x, dev=device):\n    return torch.as_tensor(x, dtype=torch.float32, device=dev)\n\n\n"
        "def discount(rewards, gamma=GAMMA):\n    return [r * gamma for r in rewards]\n\n\n"
        "def sample_actions(n, generator=rng):\n    return generator.integers(0, 2, n)\n\n\n"
        "as_tensor = to_tensor\n\n\n"
        "class Runner:\n    def __init__(self, policy, dev=device):\n        self.policy = policy.to(dev)",
        CORRECT_LOSS,
        "print(pseudo_loss(torch.randn(4, 2), torch.tensor([0, 1, 1, 0]), to_tensor([1.0, 2.0, 3.0, 4.0])))",
    ])


def long_cell(directory: Path, lines: int) -> Path:
    """A notebook with a cell of `lines` one-line statements (a pasted log, an unrolled loop): about 17
    bytes a line, so 30,000 lines make a 0.5 MB notebook. Built by the tests, not committed."""
    kinds = ["x{i} = {i}", "print(x{i})", "losses.append(x{i} * 0.5)", "y{i} = f(x{i})",
             "def f{i}(a): return a", "import math", "env.step({i} % 2)", "%time x{i}"]
    source = "\n".join(kinds[i % len(kinds)].format(i=i) for i in range(lines))
    return notebook(directory, f"long_cell_{lines}.ipynb",
                    ["import torch\nimport torch.nn.functional as F", source, CORRECT_LOSS])


BUILDERS: Dict[str, Callable[[Path], Path]] = {
    "colab_correct.ipynb": colab_correct,
    "colab_sign_flipped.ipynb": colab_sign_flipped,
    "redefined.ipynb": redefined,
    "truncated.ipynb": truncated,
    "corrupt.ipynb": corrupt,
    "syntax_error.ipynb": syntax_error,
    "no_pseudo_loss.ipynb": no_pseudo_loss,
    "scratch_cell.ipynb": scratch_cell,
    "v3_correct.ipynb": v3_correct,
    "notebook_saved_as.py": saved_as_py,
    "nbformat_minor_text.ipynb": nbformat_minor_text,
    "helper_default_dropped.ipynb": helper_default_dropped,
    "module_criterion.ipynb": module_criterion,
}


def write_all(directory: Path = HERE) -> List[Path]:
    return [build(Path(directory)) for build in BUILDERS.values()]


if __name__ == "__main__":
    for written in write_all():
        print(written.relative_to(Path.cwd()) if written.is_relative_to(Path.cwd()) else written)
