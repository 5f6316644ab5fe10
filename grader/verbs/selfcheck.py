"""Student self-check on the public cases, without the reference: `python selfcheck.py [file]`.

The handout carries `public_data.npz`: the public cases' inputs with the
expected loss and gradient, and the answers of the known mistakes on the
diagnosis probes (numbers only, no implementation). This module runs the
student's function in-process on the student's own machine, grades it with the
same checks as the real grader and names the mistake the same way. It needs
only numpy and torch. `write_public_data` (run by `make handout`) is the only
part that needs the reference.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from grader.checks.assessment import assess, summary
from grader.checks.cases import KINDS, Case, CaseSet, Expected
from grader.checks.diagnosis import PROBES, Sig, Suspect
from grader.checks.oracle import LocalOracle
from grader.outputs import results

PUBLIC_DATA = Path(__file__).resolve().parents[2] / "public_data.npz"  # grader/verbs/ -> the handout's root
NOT_HERE = (
    "The real grader also checks hidden cases and trains a CartPole-v1 policy with your loss "
    "(the learning check), which this self-check does not run."
)


@dataclass(frozen=True)
class Entry:
    """What the feedback needs of a catalog entry."""

    title: str
    explanation: str


@dataclass(frozen=True)
class PublicData:
    cases: CaseSet
    weights: Dict[str, float]
    suspects: Tuple[Suspect, ...]
    catalog: Dict[str, Entry]


def write_public_data(path: Path) -> Path:
    """Save the public cases, expected answers and mistake fingerprints (needs reference/)."""
    from grader import rubric

    graded = rubric.load(public_only=True)
    suspects, catalog = rubric.suspects()
    arrays: Dict[str, np.ndarray] = {}
    meta: Dict[str, Any] = {
        "weights": {k: w for k, w in graded.weights.items() if k != "learning"},
        "cases": [],
        "suspects": [],
        "catalog": {key: {"title": m.title, "explanation": m.explanation} for key, m in catalog.items()},
    }
    for kind in KINDS:
        for i, (case, expected) in enumerate(graded.cases[kind]):
            key = f"{kind}{i}"
            arrays.update(
                {
                    f"{key}_logits": case.logits,
                    f"{key}_actions": case.actions,
                    f"{key}_q": case.q_values,
                    f"{key}_grad": expected.grad,
                }
            )
            meta["cases"].append(
                {
                    "key": key,
                    "kind": kind,
                    "seed": case.seed,
                    "loss": expected.loss,
                    "term_scale": expected.term_scale,
                    "loss_noise": expected.loss_noise,
                    "grad_noise": expected.grad_noise,
                }
            )
    for s, suspect in enumerate(suspects):
        meta["suspects"].append(
            {
                "ids": sorted(suspect.ids),
                "same_numbers": suspect.same_numbers,
                "sigs": [_sig_meta(sig, f"s{s}p{p}", arrays) for p, sig in enumerate(suspect.sigs)],
            }
        )
    arrays["meta"] = np.array(json.dumps(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)  # type: ignore[arg-type]  # numpy's stub: a key could be allow_pickle
    return path


def _sig_meta(sig: Optional[Sig], key: str, arrays: Dict[str, np.ndarray]) -> Optional[dict]:
    if sig is None:
        return None
    if sig.grad is not None:
        arrays[key] = sig.grad
    value = None if sig.value is None else (sig.value if np.isfinite(sig.value) else str(sig.value))
    return {"value": value, "grad": sig.grad is not None, "quadratic": sig.quadratic}


def load_public_data(path: Path = PUBLIC_DATA) -> PublicData:
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays["meta"]))
    cases: CaseSet = {kind: [] for kind in KINDS}
    for c in meta["cases"]:
        key = c["key"]
        case = Case(c["kind"], c["seed"], False, arrays[f"{key}_logits"], arrays[f"{key}_actions"], arrays[f"{key}_q"])
        cases[c["kind"]].append(
            (case, Expected(c["loss"], arrays[f"{key}_grad"], c["term_scale"], c["loss_noise"], c["grad_noise"]))
        )
    suspects = tuple(
        Suspect(
            frozenset(s["ids"]),
            tuple(_sig(sig, f"s{i}p{p}", arrays) for p, sig in enumerate(s["sigs"])),
            s["same_numbers"],
        )
        for i, s in enumerate(meta["suspects"])
    )
    catalog = {key: Entry(**entry) for key, entry in meta["catalog"].items()}
    if len(suspects[0].sigs) != len(PROBES):
        raise ValueError(f"{path} was made for another version of the self-check")
    return PublicData(cases, meta["weights"], suspects, catalog)


def _sig(meta: Optional[dict], key: str, arrays: Dict[str, np.ndarray]) -> Optional[Sig]:
    if meta is None:
        return None
    value = meta["value"]
    return Sig(None if value is None else float(value), arrays[key] if meta["grad"] else None, meta["quadratic"])


def check_function(function: Callable, data: Optional[PublicData] = None) -> dict:
    """The self-check's results.json for a pseudo_loss function (runs it in this process)."""
    data = data or load_public_data()
    result = assess(LocalOracle(function), data.cases, data.weights, lambda: (data.suspects, data.catalog))
    return results.build(result.checks, summary=summary(result, data.catalog, [NOT_HERE]), mistakes=result.mistakes)


def main(argv: Sequence[str] = ()) -> int:
    path = Path(argv[0] if argv else "pseudo_loss.py")
    if not path.is_file():
        print(f"error: {path} does not exist; run this next to your pseudo_loss.py or pass its path", file=sys.stderr)
        return 2
    spec = importlib.util.spec_from_file_location("student_submission", path)
    assert spec is not None and spec.loader is not None, f"{path} is not a Python file"  # no loader for its suffix
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except Exception as exc:
        print(f"Importing {path} failed: {type(exc).__name__}: {exc}")
        return 1
    if not callable(getattr(module, "pseudo_loss", None)):
        print(f"{path} defines no function named pseudo_loss")
        return 1
    document = check_function(module.pseudo_loss)
    print(results.to_text(document))
    return 0 if all(test["status"] == "passed" for test in document["tests"]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
