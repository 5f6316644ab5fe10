"""Calibrate the CartPole learning check: the reference and every catalogued mistake, per seed.

    python tests/bench_cartpole.py [--seeds 30] [--oracle-ms 0] [--kinds reference,no_log] [--table]

Prints each loss kind's pass rate over seeds 0..N-1 (all of them trained in
lock-step, as the check trains its grading seeds), and with --table one row per
kind and seed. `rows()` and `summary_lines()` make the table of `make bench`.

The oracle is simulated in-process: the loss is called through LocalOracle (the
same answer.evaluate the sandboxed child uses), and `--oracle-ms` of sleep per
call stands for the round trip to the child. The losses are the reference and
the mistake catalog's own (reference/discrete/mistakes.py). A mistake "changes
the gradient" when its dL/dlogits on a CartPole-like batch (two actions,
standardised q) points elsewhere than the reference's: those must never pass.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Callable, Dict, List, Sequence

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from grader.calling.oracle import LocalOracle  # noqa: E402
from grader.course import rubric  # noqa: E402
from reference.discrete import CATALOG, cartpole  # noqa: E402
from reference.discrete import reference as reference_loss  # noqa: E402

__test__ = False  # a script, not a pytest module

CONTRACT = rubric.exercise("discrete").parts[0].contract
LOSSES: Dict[str, Callable] = {"reference": reference_loss, **{mistake.id: mistake.function for mistake in CATALOG}}
"""Loss kind -> pseudo-loss(logits, actions, q_values): the reference and every catalogued mistake."""
SAME_DIRECTION = 0.999
"""A loss whose gradient has at least this cosine with the reference's trains as the reference does."""


def simulated_oracle(loss: Callable, oracle_ms: float = 0.0) -> cartpole.LossGrad:
    """A LossGrad that answers as the sandboxed child would (the same answer.evaluate, in-process),
    with `oracle_ms` of sleep per call standing for the round trip to the child."""
    oracle = LocalOracle(loss, CONTRACT)

    def loss_grad(logits, actions, q_values):
        if oracle_ms:
            time.sleep(oracle_ms / 1000)
        return getattr(oracle.call(logits, actions, q_values), "grads", None)

    return loss_grad


def gradient_cosine(loss: Callable, rows: int = 2000) -> float:
    """Cosine of the loss's dL/dlogits with the reference's on one CartPole-like batch (0 for a
    zero gradient); nan when it gives none (not a 0-dim tensor, or not connected to the logits)."""
    rng = np.random.default_rng(0)
    logits = rng.normal(size=(rows, 2)).astype(np.float32) * 1.5
    shifted = np.exp(logits - logits.max(axis=1, keepdims=True))
    actions = (rng.random(rows) < shifted[:, 1] / shifted.sum(axis=1)).astype(np.int64)
    q_values = rng.normal(size=rows).astype(np.float32)
    q_values = (q_values - q_values.mean()) / q_values.std()
    answers = [simulated_oracle(f)(logits, actions, q_values) for f in (reference_loss, loss)]
    a, b = (None if answer is None else answer.get("logits") for answer in answers)
    if a is None or b is None:
        return float("nan")
    if not np.any(b):
        return 0.0
    a, b = a.ravel().astype(np.float64), b.ravel().astype(np.float64)
    return float(a @ b / np.linalg.norm(a) / np.linalg.norm(b))


def changes_gradient(kind: str) -> bool:
    """A mistake that must never pass: its gradient exists and points elsewhere than the reference's."""
    cosine = gradient_cosine(LOSSES[kind])
    return kind != "reference" and not np.isnan(cosine) and cosine < SAME_DIRECTION


def rows(seeds: Sequence[int] = range(30), kinds: Sequence[str] = tuple(LOSSES), oracle_ms: float = 0.0) -> List[dict]:
    """One dict per (kind, seed): kind, seed, passed, iterations, env_steps, best (the highest
    window-mean return: how close a wrong loss came), reason; every seed of a kind in lock-step."""
    out = []
    window = np.ones(cartpole.CartPoleConfig.window_iters) / cartpole.CartPoleConfig.window_iters
    for kind in kinds:
        for run in cartpole.train(simulated_oracle(LOSSES[kind], oracle_ms), seeds, stop_early=False):
            best = float(max(np.convolve(run.returns, window, "valid"))) if len(run.returns) > 1 else run.returns[0]
            fields = dict(passed=run.passed, iterations=run.iterations, env_steps=run.env_steps, reason=run.reason)
            out.append(dict(kind=kind, seed=run.seed, best=best, **fields))
    return out


def summary_lines(table: List[dict]) -> List[str]:
    """Per loss kind: what its gradient is, pass rate, iterations, env steps, how close it came."""
    lines = []
    for kind in dict.fromkeys(row["kind"] for row in table):
        mine = [row for row in table if row["kind"] == kind]
        passed = sum(r["passed"] for r in mine)
        cosine = gradient_cosine(LOSSES[kind])
        if kind == "reference":
            verdict = "must pass every seed: " + ("yes" if passed == len(mine) else "NO")
        elif np.isnan(cosine):
            verdict = "no usable gradient"
        elif cosine >= SAME_DIRECTION:
            verdict = "the reference's gradient direction"
        else:
            verdict = f"gradient changed (cos {cosine:+.2f}), never passes: " + ("yes" if not passed else "NO")
        lines.append(
            f"{kind:22} passed {passed:2d}/{len(mine)}  "
            f"iterations median {statistics.median(r['iterations'] for r in mine):4.1f} "
            f"max {max(r['iterations'] for r in mine):2d}  "
            f"env steps median {statistics.median(r['env_steps'] for r in mine):6.0f}  "
            f"best window return {max(r['best'] for r in mine):3.0f}  {verdict}"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--seeds", type=int, default=30, help="seeds 0..N-1 per loss kind")
    parser.add_argument("--kinds", default=",".join(LOSSES), help="comma-separated loss kinds")
    parser.add_argument("--oracle-ms", type=float, default=0.0, help="simulated sandbox round trip per call")
    parser.add_argument("--table", action="store_true", help="also print one row per kind and seed")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as the grader does
    print(cartpole.CartPoleConfig())
    table = rows(range(args.seeds), args.kinds.split(","), args.oracle_ms)
    if args.table:
        print(f"{'kind':22} {'seed':>4} {'passed':>6} {'iters':>5} {'steps':>7} {'best':>5}  reason")
        for row in table:
            print(
                f"{row['kind']:22} {row['seed']:4d} {str(row['passed']):>6} {row['iterations']:5d} "
                f"{row['env_steps']:7d} {row['best']:5.0f}  {row['reason']}"
            )
        print()
    print("\n".join(summary_lines(table)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
