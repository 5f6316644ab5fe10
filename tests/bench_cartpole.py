"""Calibrate the CartPole learning check: the reference and six wrong losses, per seed.

    python tests/bench_cartpole.py [--seeds 10] [--oracle-ms 3] [--kinds reference,no_log]

Prints, per loss kind and seed: passed, iterations, env steps, wall seconds; then
each kind's pass rate and the median wall time of the whole check (every
grading seed) for the reference. `rows()` returns the table for `make bench`.

The oracle is simulated in-process: the loss is called through the same
answer.evaluate the sandboxed child uses, and `--oracle-ms` of sleep per call
stands for the round trip to the child. The wrong losses are the mistake
catalog's own (reference/mistakes.py).
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import numpy as np
import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from grader.checks.oracle import LocalOracle  # noqa: E402
from grader.learning import cartpole  # noqa: E402
from reference.mistakes import by_id  # noqa: E402
from reference.pseudo_loss import pseudo_loss  # noqa: E402

__test__ = False  # a script, not a pytest module


WRONG = ("sign_flipped", "no_log", "greedy_labels", "unweighted", "sum_over_actions", "broadcast")
LOSSES = {"reference": pseudo_loss, **{mistake: by_id(mistake).loss for mistake in WRONG}}
"""Loss kind -> pseudo-loss(logits, actions, q_values): the reference and six catalog mistakes."""


def simulated_oracle(loss, oracle_ms: float = 3.0) -> cartpole.LossGrad:
    """A LossGrad that answers as the sandboxed child would (the same answer.evaluate, in-process),
    with `oracle_ms` of sleep per call standing for the round trip to the child."""
    oracle = LocalOracle(loss)

    def loss_grad(logits, actions, q_values):
        time.sleep(oracle_ms / 1000)
        return oracle.call(logits, actions, q_values).grad_logits

    return loss_grad


def rows(seeds=range(10), kinds=tuple(LOSSES), config=cartpole.CartPoleConfig(), oracle_ms=3.0) -> list:
    """One dict per (kind, seed): kind, seed, passed, iterations, env_steps, seconds,
    best (highest window-mean return: how close a wrong loss came), reason."""
    out = []
    window = np.ones(config.window_iters) / config.window_iters
    for kind in kinds:
        for seed in seeds:
            result = cartpole.train(simulated_oracle(LOSSES[kind], oracle_ms), seed, config)
            out.append(
                dict(
                    kind=kind,
                    seed=seed,
                    passed=result.passed,
                    iterations=result.iterations,
                    env_steps=result.env_steps,
                    seconds=result.seconds,
                    best=float(max(np.convolve(result.returns, window, "valid"))),
                    reason=result.reason,
                )
            )
    return out


def check_seconds(repeats=5, config=cartpole.CartPoleConfig(), oracle_ms=3.0) -> list:
    """(wall, CPU) seconds of the whole check (reference, every grading seed), once per repeat.
    CPU time leaves out the simulated latency and other processes: it is the steadier number."""
    loss_grad = simulated_oracle(LOSSES["reference"], oracle_ms)
    times = []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        for seed in cartpole.GRADING_SEEDS:
            cartpole.train(loss_grad, seed, config)
        times.append((time.perf_counter() - wall, time.process_time() - cpu))
    return times


def summary_lines(table: list) -> list:
    """Per loss kind: pass rate, iterations, env steps, wall time, and how close it came."""
    lines = []
    for kind in dict.fromkeys(row["kind"] for row in table):
        mine = [row for row in table if row["kind"] == kind]
        lines.append(
            f"{kind:17} passed {sum(r['passed'] for r in mine):2d}/{len(mine)}  "
            f"iterations median {statistics.median(r['iterations'] for r in mine):4.1f} "
            f"max {max(r['iterations'] for r in mine):2d}  "
            f"env steps median {statistics.median(r['env_steps'] for r in mine):6.0f}  "
            f"wall median {statistics.median(r['seconds'] for r in mine):.3f} s  "
            f"best window return max {max(r['best'] for r in mine):.0f}"
        )
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=10, help="seeds 0..N-1 per loss kind")
    parser.add_argument("--kinds", default=",".join(LOSSES), help="comma-separated loss kinds")
    parser.add_argument("--oracle-ms", type=float, default=3.0, help="simulated sandbox round trip per call")
    parser.add_argument("--repeats", type=int, default=5, help="repeats of the timed check")
    args = parser.parse_args(argv)
    torch.set_num_threads(1)  # as the grader does
    config = cartpole.CartPoleConfig()
    print(config)
    # Warm-up: the first run in a process pays one-off costs (lazy imports, first autograd call).
    cartpole.train(simulated_oracle(LOSSES["reference"], 0), 0, dataclasses.replace(config, max_iters=2))
    table = rows(range(args.seeds), args.kinds.split(","), config, args.oracle_ms)
    print(f"{'kind':17} {'seed':>4} {'passed':>6} {'iters':>5} {'steps':>7} {'wall s':>6} {'best':>5}  reason")
    for row in table:
        print(
            f"{row['kind']:17} {row['seed']:4d} {str(row['passed']):>6} {row['iterations']:5d} "
            f"{row['env_steps']:7d} {row['seconds']:6.3f} {row['best']:5.0f}  {row['reason']}"
        )
    print()
    print("\n".join(summary_lines(table)))
    times = check_seconds(args.repeats, config, args.oracle_ms)
    wall, cpu = [t[0] for t in times], [t[1] for t in times]
    print(
        f"\nwhole check, reference on GRADING_SEEDS {cartpole.GRADING_SEEDS}, {args.repeats} repeats, "
        f"oracle {args.oracle_ms} ms per call: wall median {statistics.median(wall):.3f} s "
        f"(min {min(wall):.3f}, max {max(wall):.3f}), CPU median {statistics.median(cpu):.3f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
