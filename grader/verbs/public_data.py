"""The handout's public_data.npz: for each part, the public cases with their expected answers, and the
known mistakes' answers on the probes (numbers only, no implementation); the reference's learning
curves. `write_public_data` (run by `make handout`) is the only part that needs reference/.

The file holds one flat array per dtype and a JSON index (each named array's dtype, offset and
shape) beside the rest of the meta: numpy pays for each member of an .npz (a zip entry, a header
to parse) whatever its size, and the self-check needs some three thousand small arrays, which
took a third of a second to read one by one. No pickles."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Optional, Tuple

import numpy as np

from grader.checks.cases import Case, CaseSet, Expected
from grader.checks.part import Exercise, Mistake, Part, load_public
from grader.naming.probes import Sig, Suspect

HANDOUT = Path(__file__).resolve().parents[2]  # grader/verbs/ -> the handout's root
PUBLIC_DATA = HANDOUT / "public_data.npz"
EXERCISE = HANDOUT / "exercise" / "exercise.py"  # package.EXERCISE_FOLDER: the exercise's public modules


@dataclass(frozen=True)
class PublicPart:
    part: Part
    cases: CaseSet
    weights: Dict[str, float]  # every check the self-check can run: all but learning
    suspects: Tuple[Suspect, ...]
    catalog: Dict[str, Mistake]  # texts only: no implementation leaves reference/


@dataclass(frozen=True)
class PublicData:
    exercise: Exercise
    parts: Tuple[PublicPart, ...]
    stub: str  # the handout's stub as handed out, which the self-check never checks while another file has work
    learning: Dict[str, Any]  # what --learn needs: verbs/learn.py's reference_learning ({} without a learning check)


def write_public_data(path: Path, exercise: str) -> Path:
    """Save every part's public cases, expected answers and mistake fingerprints, and the reference's
    learning curves (needs reference/)."""
    from grader.course import rubric
    from grader.verbs.learn import reference_learning

    loaded = rubric.load_rubric(exercise, public_only=True)
    arrays: Dict[str, np.ndarray] = {}
    meta: Dict[str, Any] = {
        "parts": [],
        "stub": rubric.stub_text(exercise),
        "learning": reference_learning(exercise),
    }
    for j, graded in enumerate(loaded.parts):
        suspects, catalog = rubric.suspects(exercise, graded.function)
        learning = {check.key for check in graded.part.learnings}
        meta["parts"].append(
            {
                "function": graded.function,
                "weights": {k: w for k, w in graded.weights.items() if k not in learning},
                "cases": _cases_meta(f"p{j}", graded.part, graded.cases, arrays),
                "suspects": [_suspect_meta(f"p{j}s{s}", suspect, arrays) for s, suspect in enumerate(suspects)],
                "catalog": {
                    key: {"title": m.title, "change": m.change, "explanation": m.explanation}
                    for key, m in catalog.items()
                },
            }
        )
    packed, meta["index"] = _pack(arrays)
    packed["meta"] = np.array(json.dumps(meta))
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **packed)  # type: ignore[arg-type]  # numpy's stub: a key could be allow_pickle
    return path


def _pack(arrays: Dict[str, np.ndarray]) -> Tuple[Dict[str, np.ndarray], Dict[str, list]]:
    """The arrays laid end to end, one flat array per dtype, and where each one is: name ->
    [dtype, offset, shape]."""
    runs: Dict[str, List[np.ndarray]] = {}
    ends: Dict[str, int] = {}
    index: Dict[str, list] = {}
    for name, array in arrays.items():
        dtype = array.dtype.name
        index[name] = [dtype, ends.get(dtype, 0), list(array.shape)]
        ends[dtype] = ends.get(dtype, 0) + array.size
        runs.setdefault(dtype, []).append(array.ravel())
    return {dtype: np.concatenate(run) for dtype, run in runs.items()}, index


def _unpack(data: Any, index: Dict[str, list]) -> Dict[str, np.ndarray]:
    """Each named array, a view of its dtype's flat array."""
    flat = {dtype: data[dtype] for dtype in {dtype for dtype, _, _ in index.values()}}
    return {
        name: flat[dtype][offset : offset + math.prod(shape)].reshape(shape)
        for name, (dtype, offset, shape) in index.items()
    }


def _cases_meta(prefix: str, part: Part, cases: CaseSet, arrays: Dict[str, np.ndarray]) -> List[dict]:
    found = []
    for kind in part.kinds:
        for i, (case, expected) in enumerate(cases[kind]):
            key = f"{prefix}{kind}{i}"
            arrays.update({f"{key}_{name}": array for name, array in zip(part.contract.names, case.arrays)})
            arrays.update({f"{key}_grad_{name}": grad for name, grad in expected.grads.items()})
            arrays.update({f"{key}_value": np.asarray(expected.value), f"{key}_atol": np.asarray(expected.atol)})
            found.append(
                {
                    "key": key,
                    "kind": kind,
                    "seed": case.seed,
                    "sizes": case.sizes,
                    "grad_atol": dict(expected.grad_atol),
                }
            )
    return found


def _suspect_meta(key: str, suspect: Suspect, arrays: Dict[str, np.ndarray]) -> dict:
    sigs = [_sig_meta(sig, f"{key}p{p}", arrays) for p, sig in enumerate(suspect.sigs)]
    return {"ids": sorted(suspect.ids), "same_numbers": suspect.same_numbers, "sigs": sigs}


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
        meta = json.loads(str(data["meta"]))
        if "index" not in meta:  # one array per name: written before the arrays were packed
            raise ValueError(f"{path} was made for another version of the self-check")
        arrays = _unpack(data, meta["index"])
    if [part["function"] for part in meta["parts"]] != list(exercise.functions):
        raise ValueError(f"{path} was made for another exercise")
    parts = tuple(
        _part(f"p{j}", exercise.part(saved["function"]), saved, arrays, path) for j, saved in enumerate(meta["parts"])
    )
    return PublicData(exercise, parts, meta["stub"], meta["learning"])


def _part(prefix: str, part: Part, saved: dict, arrays: Dict[str, np.ndarray], path: Path) -> PublicPart:
    cases: CaseSet = {kind: [] for kind in part.kinds}
    for c in saved["cases"]:
        key = c["key"]
        inputs = tuple(arrays[f"{key}_{name}"] for name in part.contract.names)
        case = Case(c["kind"], c["seed"], False, inputs, tuple((n, int(v)) for n, v in c["sizes"]))
        grads = {name: arrays[f"{key}_grad_{name}"] for name in part.contract.differentiable}
        value, atol = (_number(arrays[f"{key}_{what}"]) for what in ("value", "atol"))
        cases[c["kind"]].append((case, Expected(value, grads, atol, c["grad_atol"])))
    suspects = tuple(
        Suspect(
            frozenset(s["ids"]),
            tuple(_sig(sig, f"{prefix}s{i}p{k}", arrays) for k, sig in enumerate(s["sigs"])),
            s["same_numbers"],
        )
        for i, s in enumerate(saved["suspects"])
    )
    if part.diagnostics and suspects and len(suspects[0].sigs) != len(part.diagnostics.probes):
        raise ValueError(f"{path} was made for another version of the self-check")
    catalog = {key: Mistake(key, **entry) for key, entry in saved["catalog"].items()}
    return PublicPart(part, cases, saved["weights"], suspects, catalog)


def _number(array: np.ndarray):
    """A saved value or tolerance: a float when it was one number, else the array."""
    return float(array) if array.ndim == 0 else array


def _sig(meta: Optional[dict], key: str, arrays: Dict[str, np.ndarray]) -> Optional[Sig]:
    if meta is None:
        return None
    value = meta["value"]
    grads = {name: arrays[f"{key}_{name}"] for name in meta["grads"]}
    return Sig(None if value is None else float(value), grads, meta["quadratic"])
