"""The returns exercise's careless notebook, built with nbformat; run this file to rewrite the committed copy.

    python tests/submissions/returns/careless/make.py      # rewrites hw2_returns.ipynb beside it

A student's working notebook: the three functions in their own cells, beside
setup, a smoke test that prints, a plot and a `!pip` line, all of which the
grader skips.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

CELLS = (
    new_markdown_cell("# HW2: returns, reward-to-go and GAE"),
    new_code_cell("!pip install -q scipy\n%matplotlib inline\nimport numpy as np\nimport matplotlib.pyplot as plt"),
    new_code_cell("GAMMA = 0.99"),
    new_code_cell(
        "def discounted_return(rewards, gamma=GAMMA):\n"
        "    total = sum(gamma**t * r for t, r in enumerate(rewards))\n"
        "    return np.full(len(rewards), total)"
    ),
    new_code_cell(
        "def discounted_reward_to_go(rewards, gamma=GAMMA):\n"
        "    rtg = np.zeros(len(rewards))\n"
        "    running = 0.0\n"
        "    for t in reversed(range(len(rewards))):\n"
        "        running = rewards[t] + gamma * running\n"
        "        rtg[t] = running\n"
        "    return rtg"
    ),
    new_code_cell(
        "def gae_advantages(rewards, values, terminals, gamma=GAMMA, gae_lambda=0.95):\n"
        "    adv = np.zeros(len(rewards))\n"
        "    gae = 0.0\n"
        "    for i in reversed(range(len(rewards))):\n"
        "        going = 1.0 - terminals[i]\n"
        "        v_next = values[i + 1] if i + 1 < len(values) else 0.0\n"
        "        delta = rewards[i] + gamma * v_next * going - values[i]\n"
        "        gae = delta + gamma * gae_lambda * going * gae\n"
        "        adv[i] = gae\n"
        "    return adv"
    ),
    new_code_cell(
        "r = np.array([1.0, 1.0, 1.0, 1.0])\n"
        "print(discounted_return(r, 0.9))\n"
        "print(discounted_reward_to_go(r, 0.9))\n"
        "plt.plot(discounted_reward_to_go(np.ones(200), 0.99))"
    ),
)


def returns_notebook(directory: Path) -> Path:
    path = directory / "hw2_returns.ipynb"
    cells = [nbformat.from_dict(dict(cell, id=f"cell-{number}")) for number, cell in enumerate(CELLS)]  # fixed ids: same bytes each run
    nbformat.write(new_notebook(cells=cells), str(path))
    return path


if __name__ == "__main__":
    returns_notebook(HERE)
