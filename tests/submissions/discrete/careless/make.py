"""Careless uploads too large to commit, built by the tests; run this file to rewrite the committed notebook.

    python tests/submissions/careless/make.py      # rewrites compiled_in_notebook.ipynb beside it

Each builder writes into a folder or file the test gives (tmp_path) and returns
its path. README.md beside this file says what each case is and how it is graded.
"""

from __future__ import annotations

import json
import random
import shutil
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
MB = 1024 * 1024


def data_modules_beside(folder: Path, count: int = 6) -> Path:
    """data_modules_beside/ with `count` data modules of 1.9 MB of rows of numbers (each takes Python's
    parser about 300 MB and 0.6 s), which the code does not import."""
    shutil.copytree(HERE / "data_modules_beside", folder)
    numbers = random.Random(0)
    row = "    [{:.6f}, {:.6f}, {:.6f}, {:.6f}],\n"  # 46 bytes
    for number in range(count):
        rows = "".join(row.format(*(numbers.random() for _ in range(4))) for _ in range(int(1.9 * MB) // 46))
        (folder / f"dataset_{number}.py").write_text(f"ROWS_{number} = [\n{rows}]\n")
    return folder


def code_beside_runs(folder: Path) -> Path:
    """code_beside_runs/ with a data/ folder of 30,000 frames and a runs/ folder of 50 runs of 200 event
    files, beside code/hw2/pseudo_loss.py."""
    shutil.copytree(HERE / "code_beside_runs", folder)
    files(folder / "data", 30_000, "frame_{:05d}.png")
    for run in range(50):
        files(folder / "runs" / f"run_{run:02d}", 200, "events.out.tfevents.{}")
    return folder


def files(folder: Path, count: int, name: str) -> Path:
    """`count` empty files in folder, named name.format(number)."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(count):
        (folder / name.format(number)).touch()
    return folder


def statements(path: Path, size: int = MB) -> Path:
    """`size` bytes of `a=1;`: one line that takes Python's parser about 600 MB a MB."""
    path.write_text("a=1;" * (size // 4) + "\n")
    return path


def many_cells(path: Path, cells: int = 120_000) -> Path:
    """A notebook of `cells` one-line code cells (14 MB, under the 16 MB a notebook may have): reading it
    builds and validates that many cells, which takes nbformat longer than reading a submission may."""
    code = {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": []}
    notebook = new_notebook(cells=[{**code, "id": f"c{i}", "source": f"x{i} = {i}"} for i in range(cells)])
    path.write_text(json.dumps(notebook), encoding="utf-8")
    return path


def compiled_in_notebook(directory: Path) -> Path:
    """A notebook whose pseudo_loss is `torch.compile(_pseudo_loss)`, then a training cell."""
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# The pseudo-loss, compiled for speed"),
            new_code_cell("import torch\nimport torch.nn.functional as F"),
            new_code_cell(
                "def _pseudo_loss(logits, actions, q_values):\n"
                "    log_probs = F.log_softmax(logits, dim=-1)\n"
                "    return -(log_probs.gather(1, actions.unsqueeze(1)).squeeze(1) * q_values).mean()\n"
                "\n"
                "\n"
                "pseudo_loss = torch.compile(_pseudo_loss)"
            ),
            new_code_cell("for step in range(1000):\n    train_step(pseudo_loss)"),
        ]
    )
    for number, cell in enumerate(notebook.cells):
        cell["id"] = f"cell-{number}"
    nbformat.validate(notebook)
    path = Path(directory) / "compiled_in_notebook.ipynb"
    path.write_text(json.dumps(notebook, indent=1) + "\n", encoding="utf-8")
    return path


if __name__ == "__main__":
    print(compiled_in_notebook(HERE))
