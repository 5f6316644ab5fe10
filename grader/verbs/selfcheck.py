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
import linecache
import sys
import tokenize
import types
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from grader.checks.answer import seed_everything
from grader.checks.assessment import assess, summary
from grader.checks.cases import Case, CaseSet, Expected
from grader.checks.diagnosis import Sig, Suspect
from grader.checks.oracle import LocalOracle
from grader.checks.part import Exercise, Mistake, load_public, load_walkthrough
from grader.checks.raised import error_text
from grader.outputs import results
from grader.submission.stub import has_work, is_stub
from grader.text import Markdown, code, printable
from grader.verbs.explain import explain

HANDOUT = Path(__file__).resolve().parents[2]  # grader/verbs/ -> the handout's root
PUBLIC_DATA = HANDOUT / "public_data.npz"
EXERCISE = HANDOUT / "exercise.py"


@dataclass(frozen=True)
class PublicData:
    exercise: Exercise
    cases: CaseSet  # of its first part, the one the self-check checks
    weights: Dict[str, float]
    suspects: Tuple[Suspect, ...]
    catalog: Dict[str, Mistake]  # texts only: no implementation is shipped
    stub: str  # the handout's stub as handed out, which the self-check never checks while another file has work


def write_public_data(path: Path, exercise: str) -> Path:
    """Save the exercise's public cases, expected answers and mistake fingerprints (needs reference/)."""
    from grader import rubric

    loaded = rubric.load(exercise, public_only=True)
    graded = loaded.parts[0]
    learning = graded.part.learning
    suspects, catalog = rubric.suspects(exercise, graded.function)
    arrays: Dict[str, np.ndarray] = {}
    meta: Dict[str, Any] = {
        "weights": {k: w for k, w in graded.weights.items() if not learning or k != learning.key},
        "cases": [],
        "suspects": [],
        "catalog": {key: {"title": m.title, "explanation": m.explanation} for key, m in catalog.items()},
        "stub": (rubric.folders(exercise)[0] / loaded.exercise.stub_file).read_text(),
    }
    names = graded.part.contract.names
    for kind in graded.part.kinds:
        for i, (case, expected) in enumerate(graded.cases[kind]):
            key = f"{kind}{i}"
            arrays.update({f"{key}_{name}": array for name, array in zip(names, case.arrays)})
            arrays.update({f"{key}_grad_{name}": grad for name, grad in expected.grads.items()})
            arrays.update({f"{key}_value": np.asarray(expected.value), f"{key}_atol": np.asarray(expected.atol)})
            meta["cases"].append(
                {
                    "key": key,
                    "kind": kind,
                    "seed": case.seed,
                    "sizes": case.sizes,
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
    """The data `make handout` saved; `exercise` defaults to the handout's exercise.py."""
    exercise = exercise or load_public(EXERCISE)
    with np.load(path, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    meta = json.loads(str(arrays["meta"]))
    part = exercise.parts[0]
    cases: CaseSet = {kind: [] for kind in part.kinds}
    names = part.contract.names
    for c in meta["cases"]:
        key = c["key"]
        inputs = tuple(arrays[f"{key}_{name}"] for name in names)
        case = Case(c["kind"], c["seed"], False, inputs, tuple((n, int(v)) for n, v in c["sizes"]))
        grads = {name: arrays[f"{key}_grad_{name}"] for name in part.contract.differentiable}
        value, atol = (_number(arrays[f"{key}_{what}"]) for what in ("value", "atol"))
        cases[c["kind"]].append((case, Expected(value, grads, atol, c["grad_atol"])))
    suspects = tuple(
        Suspect(
            frozenset(s["ids"]),
            tuple(_sig(sig, f"s{i}p{p}", arrays) for p, sig in enumerate(s["sigs"])),
            s["same_numbers"],
        )
        for i, s in enumerate(meta["suspects"])
    )
    catalog = {key: Mistake(key, **entry) for key, entry in meta["catalog"].items()}
    if part.diagnostics and len(suspects[0].sigs) != len(part.diagnostics.probes):
        raise ValueError(f"{path} was made for another version of the self-check")
    return PublicData(exercise, cases, meta["weights"], suspects, catalog, meta["stub"])


def _number(array: np.ndarray):
    """A saved value or tolerance: a float when it was one number, else the array."""
    return float(array) if array.ndim == 0 else array


def _sig(meta: Optional[dict], key: str, arrays: Dict[str, np.ndarray]) -> Optional[Sig]:
    if meta is None:
        return None
    value = meta["value"]
    grads = {name: arrays[f"{key}_{name}"] for name in meta["grads"]}
    return Sig(None if value is None else float(value), grads, meta["quadratic"])


def check_function(function: Callable, data: Optional[PublicData] = None, notes: Sequence[Markdown] = ()) -> dict:
    """The self-check's results.json for the exercise's function (runs it in this process)."""
    data = data or load_public_data()
    part = data.exercise.parts[0]
    oracle = LocalOracle(function, part.contract)
    with _seeded():
        result = assess(oracle, part, data.cases, data.weights, lambda: (data.suspects, data.catalog))
    learning = f" and runs the learning check ({part.learning.title})" if part.learning else ""
    not_here = Markdown(f"The real grader also checks hidden cases{learning}, which this self-check does not run.")
    text = summary(result, data.catalog, [*notes, not_here])
    return results.build(result.checks, summary=text, mistakes=result.mistakes)


@contextmanager
def _seeded():
    """The random state the sandboxed child gives a submission (answer.seed_everything), so a
    loss that draws random numbers is graded the same here; the caller's state is restored after."""
    import random

    import torch

    saved = random.getstate(), np.random.get_state()
    with torch.random.fork_rng(devices=[]):
        seed_everything()
        try:
            yield
        finally:
            random.setstate(saved[0])
            np.random.set_state(saved[1])


def explain_function(function: Callable, data: Optional[PublicData] = None, name: str = "") -> str:
    """One small batch walked through step by step, beside what the function (in file name) gives."""
    data = data or load_public_data()
    walkthrough = load_walkthrough(EXERCISE)
    if walkthrough is None:
        return "This exercise has no walk-through."
    contract = data.exercise.parts[0].contract
    return explain(LocalOracle(function, contract), walkthrough, name or f"your {contract.function}")


def choose(given: Optional[str], data: PublicData, folder: Path = Path()) -> Tuple[Path, List[Markdown]]:
    """The file to check and a note on the choice: the one given, else the stub's name in folder;
    but never the handout's stub unchanged while another .py file beside it defines the function
    (the grader's rule too, submission.load)."""
    name, stub = data.exercise.parts[0].function, data.stub
    path = Path(given) if given else folder / data.exercise.stub_file
    if not path.is_file() or not is_stub(_read(path), name, stub):
        return path, []
    others = [p for p in sorted(path.parent.glob("*.py")) if p.name != path.name and has_work(_read(p), name, stub)]
    if not given and others:
        mine, stub_name = code(others[0].name), code(path.name)
        return others[0], [
            Markdown(
                f"Checked {mine}, not {stub_name}: {stub_name} is the handout's stub, unchanged, "
                f"and {mine} defines `{name}`."
            )
        ]
    return path, [
        Markdown(
            f"{code(path.name)} is the handout's stub, unchanged: its `{name}` is the one you were given. Write "
            f"your implementation in it, or check the file you wrote it in (`python selfcheck.py my_solution.py`); "
            "in the notebook, its last cell runs this self-check."
        )
    ]


def _read(path: Path) -> str:
    try:
        return _source(path)
    except (OSError, ValueError, SyntaxError):
        return ""


def _source(path: Path) -> str:
    """The file's text as Python decodes it: a BOM, a PEP 263 coding line, else UTF-8 (the grader's too)."""
    with tokenize.open(path) as handle:
        return handle.read()


def import_file(path: Path) -> types.ModuleType:
    """The student's file run as a module, compiled under its bare name as the grader's sandbox does
    (so tracebacks show it, and raised.own_frames finds its frames) and in linecache for inspect."""
    source = _source(path)
    linecache.cache[path.name] = (len(source), None, source.splitlines(True), path.name)
    module = types.ModuleType("student_submission")
    module.__file__ = str(path.resolve())
    sys.modules[module.__name__] = module  # dataclasses and pickling look their module up there
    sys.path.insert(0, str(path.resolve().parent))  # its helper modules import
    exec(compile(source, path.name, "exec"), module.__dict__)
    return module


def main(argv: Sequence[str] = ()) -> int:
    data = load_public_data()
    name = data.exercise.parts[0].function
    parser = argparse.ArgumentParser(prog="python selfcheck.py", description="Check your work on the public cases.")
    parser.add_argument("file", nargs="?", help=f"the .py file to check (default: {data.exercise.stub_file} here)")
    parser.add_argument("--explain", action="store_true", help="walk one small batch through, step by step")
    args = parser.parse_args(list(argv))
    path, notes = choose(args.file, data)
    if not path.is_file():
        print(f"error: {path} does not exist; run this next to your {path.name} or pass its path", file=sys.stderr)
        return 2
    if path.suffix != ".py":
        print(f"error: {path} is not a .py file; a notebook checks itself in its last cell", file=sys.stderr)
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
        print(printable("\n\n".join([*notes, explain_function(function, data, path.name)])))
        return 0
    document = check_function(function, data, notes)
    print(results.to_text(document))
    return 0 if all(test["status"] == "passed" for test in document["tests"]) else 1


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
