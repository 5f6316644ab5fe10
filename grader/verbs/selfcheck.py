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

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, Optional, Sequence, Tuple

import numpy as np

from grader.checks.assessment import assess, summary
from grader.checks.cases import KINDS, Case, CaseSet, Expected
from grader.checks.diagnosis import Sig, Suspect
from grader.checks.exercise import Exercise, load_public, load_walkthrough
from grader.checks.oracle import LocalOracle
from grader.checks.raised import error_text
from grader.outputs import results
from grader.text import Markdown, printable
from grader.verbs.choice import choose
from grader.verbs.explain import explain
from grader.verbs.inprocess import as_graded, import_file
from grader.verbs.terminal import report, wrap

HANDOUT = Path(__file__).resolve().parents[2]  # grader/verbs/ -> the handout's root
PUBLIC_DATA = HANDOUT / "public_data.npz"
EXERCISE = HANDOUT / "exercise" / "exercise.py"  # package.EXERCISE_FOLDER: the exercise's public modules


@dataclass(frozen=True)
class Entry:
    """What the feedback needs of a catalog entry."""

    title: str
    explanation: str


@dataclass(frozen=True)
class PublicData:
    exercise: Exercise
    cases: CaseSet
    weights: Dict[str, float]
    suspects: Tuple[Suspect, ...]
    catalog: Dict[str, Entry]
    stub: str  # the handout's stub as handed out, which the self-check never checks while another file has work
    learning: Dict[str, Any]  # what --learn needs: verbs/learn.py's reference_learning


def write_public_data(path: Path, exercise: str) -> Path:
    """Save the exercise's public cases, expected answers, mistake fingerprints and the reference's
    learning curves (needs reference/)."""
    from grader import rubric
    from grader.verbs.learn import reference_learning

    graded = rubric.load(exercise, public_only=True)
    suspects, catalog = rubric.suspects(exercise)
    arrays: Dict[str, np.ndarray] = {}
    meta: Dict[str, Any] = {
        "weights": {k: w for k, w in graded.weights.items() if k != "learning"},
        "cases": [],
        "suspects": [],
        "catalog": {key: {"title": m.title, "explanation": m.explanation} for key, m in catalog.items()},
        "stub": (rubric.folders(exercise)[0] / graded.exercise.stub_file).read_text(),
        "learning": reference_learning(exercise),
    }
    names = graded.exercise.contract.names
    for kind in KINDS:
        for i, (case, expected) in enumerate(graded.cases[kind]):
            key = f"{kind}{i}"
            arrays.update({f"{key}_{name}": array for name, array in zip(names, case.arrays)})
            arrays.update({f"{key}_grad_{name}": grad for name, grad in expected.grads.items()})
            meta["cases"].append(
                {
                    "key": key,
                    "kind": kind,
                    "seed": case.seed,
                    "sizes": case.sizes,
                    "loss": expected.loss,
                    "loss_atol": expected.loss_atol,
                    "grad_atol": dict(expected.grad_atol),
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
    arrays.update({f"{key}_{name}": grad for name, grad in sig.grads.items()})
    value = None if sig.value is None else (sig.value if np.isfinite(sig.value) else str(sig.value))
    return {"value": value, "grads": list(sig.grads), "quadratic": sig.quadratic}


def load_public_data(path: Path = PUBLIC_DATA, exercise: Optional[Exercise] = None) -> PublicData:
    """The data `make handout` saved; `exercise` defaults to the handout's exercise/exercise.py."""
    exercise = exercise or load_public(EXERCISE)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays["meta"]))
    cases: CaseSet = {kind: [] for kind in KINDS}
    names = exercise.contract.names
    for c in meta["cases"]:
        key = c["key"]
        inputs = tuple(arrays[f"{key}_{name}"] for name in names)
        case = Case(c["kind"], c["seed"], False, inputs, tuple((n, int(v)) for n, v in c["sizes"]))
        grads = {name: arrays[f"{key}_grad_{name}"] for name in exercise.contract.differentiable}
        cases[c["kind"]].append((case, Expected(c["loss"], grads, c["loss_atol"], c["grad_atol"])))
    suspects = tuple(
        Suspect(
            frozenset(s["ids"]),
            tuple(_sig(sig, f"s{i}p{p}", arrays) for p, sig in enumerate(s["sigs"])),
            s["same_numbers"],
        )
        for i, s in enumerate(meta["suspects"])
    )
    catalog = {key: Entry(**entry) for key, entry in meta["catalog"].items()}
    if len(suspects[0].sigs) != len(exercise.diagnostics.probes):
        raise ValueError(f"{path} was made for another version of the self-check")
    return PublicData(exercise, cases, meta["weights"], suspects, catalog, meta["stub"], meta["learning"])


def _sig(meta: Optional[dict], key: str, arrays: Dict[str, np.ndarray]) -> Optional[Sig]:
    if meta is None:
        return None
    value = meta["value"]
    grads = {name: arrays[f"{key}_{name}"] for name in meta["grads"]}
    return Sig(None if value is None else float(value), grads, meta["quadratic"])


def check_function(function: Callable, data: Optional[PublicData] = None, notes: Sequence[Markdown] = ()) -> dict:
    """The self-check's results.json for the exercise's function (runs it in this process)."""
    data = data or load_public_data()
    exercise = data.exercise
    oracle = LocalOracle(function, exercise.contract)
    with as_graded():
        result = assess(oracle, exercise, data.cases, data.weights, lambda: (data.suspects, data.catalog))
    not_here = Markdown(
        "The real grader also checks hidden cases and runs the learning check "
        f"({exercise.titles['learning']}): `python selfcheck.py --learn` runs that one here."
    )
    unscored = [Markdown(result.unscored)] if result.unscored else []  # why every check scores 0, said first
    text = summary(result, data.catalog, [*unscored, *notes, not_here])
    return results.build(result.checks, summary=text, mistakes=result.mistakes)


def explain_function(function: Callable, data: Optional[PublicData] = None, name: str = "") -> str:
    """One small batch walked through step by step, beside what the function (in file name) gives."""
    data = data or load_public_data()
    walkthrough = load_walkthrough(EXERCISE)
    if walkthrough is None:
        return "This exercise has no walk-through."
    oracle = LocalOracle(function, data.exercise.contract)
    with as_graded():
        steps = explain(oracle, walkthrough, name or f"your {data.exercise.contract.function}")
    return steps + _verdict(check_function(function, data), data.catalog)


def _verdict(document: dict, catalog: Dict[str, Entry]) -> str:
    """What the self-check finds, after the walk-through: one small batch cannot show every mistake
    (inputs changed in place, extreme logits, a combination), and the student must not read the
    walk-through's "matches" or "none of the usual wrong turns" as the self-check's verdict."""
    failed = [test["name"] for test in document["tests"] if test["status"] != "passed"]
    if not failed:
        return "\n\nThe self-check passes it too (`python selfcheck.py`)."
    named = [entry.title for mistake, entry in catalog.items() if mistake in document["extra_data"]["mistakes"]]
    found = "; and ".join(named) if named else f"it fails {failed[0]}"
    return f"\n\nThe self-check finds: {found}. `python selfcheck.py` shows the numbers."


def learn_in_notebook(function: Callable) -> Optional[bool]:
    """The notebook's learning cell: `--learn`'s run, its plot shown inline as well as saved."""
    from grader.verbs.learn import PICTURE, learn_function

    data = load_public_data()
    passed = learn_function(function, data.exercise, data.learning)
    if passed is not None and Path(PICTURE).is_file():
        from IPython.display import Image, display  # a notebook's kernel has IPython

        display(Image(filename=PICTURE))
    return passed


def main(argv: Sequence[str] = ()) -> int:
    data = load_public_data()
    name = data.exercise.contract.function
    parser = argparse.ArgumentParser(prog="python selfcheck.py", description="Check your work on the public cases.")
    parser.add_argument("file", nargs="?", help=f"the .py file to check (default: {data.exercise.stub_file} here)")
    parser.add_argument("--explain", action="store_true", help="walk one small batch through, step by step")
    parser.add_argument("--json", action="store_true", help="print the results as JSON, for tools")
    parser.add_argument("--learn", action="store_true", help="train policies with it as the grader does (gymnasium)")
    args = parser.parse_args(list(argv))
    path, notes = choose(args.file, name, data.stub, data.exercise.stub_file)
    if not path.is_file():
        print(f"error: {path} does not exist; run this next to your {path.name} or pass its path", file=sys.stderr)
        return 2
    if path.suffix != ".py":
        print(wrap(printable("\n\n".join(notes))), end="\n\n" if notes else "")
        print(
            f"{path} is what the grader would grade here, and it is not a .py file: a notebook checks itself in "
            "its check cell; or pass a .py file to check",
            file=sys.stderr,
        )
        return 2
    try:
        module = import_file(path)
    except (Exception, SystemExit) as exc:  # the student's sys.exit() at import too
        print(printable(f"Importing {path} failed: {error_text(exc)}"))
        return 1
    if not callable(getattr(module, name, None)):
        print(printable(f"{path} defines no function named {name}"))
        return 1
    function = getattr(module, name)
    if args.explain:
        print(wrap(printable("\n\n".join([*notes, explain_function(function, data, path.name)]))))
        return 0
    if args.learn:
        from grader.verbs.learn import learn_function  # gymnasium only when asked for

        print(wrap(printable("\n\n".join(notes))), end="\n\n" if notes else "")
        passed = learn_function(function, data.exercise, data.learning)
        return 2 if passed is None else 0 if passed else 1
    document = check_function(function, data, notes)
    print(results.dumps(document) if args.json else report(document))
    return 0 if all(test["status"] == "passed" for test in document["tests"]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
