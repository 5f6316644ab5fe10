"""The handout's self-check and the grader agree: same scores and mistake IDs on every submission
of tests/submissions/ that loads, on what both run (the public cases and the probes; the grader
alone runs the learning check and the hidden cases, so neither is compared).

The self-check runs each submission in this process's image, forked per submission (it runs
student code in-process by design, on the student's own machine); the grader runs it in its
sandbox. Left out, each for a reason that is not a disagreement:
"""

from __future__ import annotations

import json
import os
import signal
from pathlib import Path
from typing import Dict, List, Optional

import pytest
from conftest import SUBMISSIONS

from grader.contract import SUBMISSION_FILE
from grader.course import registry, rubric
from grader.outputs.results import NOT_GRADED
from grader.submission.load import load_submission
from grader.verbs import public_data, selfcheck
from grader.verbs.choice import choose
from grader.verbs.grade import grade_safely

EXERCISE = "discrete"
LEFT_OUT = {
    "hostile": "they attack the sandbox; the self-check has none (it runs the student's code on their machine)",
    "broken/never_returns.py": "the self-check has no timeout: the student stops it with Ctrl-C",
    "notebooks/notebook_saved_as.py": "the grader reads notebook JSON named .py as a notebook; "
    "the self-check imports .py files as Python (and says the import failed)",
    **dict.fromkeys(
        ("careless/code_beside_runs", "careless/compiled_beside_helper", "careless/data_modules_beside"),
        "the self-check checks the file named on its command line, else pseudo_loss.py where it runs; "
        "the grader searches an upload's folders for the file to grade",
    ),
}
NOT_SUBMISSIONS = {"corpus.py", "cases.py", "make.py", "README.md"}  # manifests and generators
OTHER_EXERCISES = set(registry.names()) - {EXERCISE}  # their corpus folders, graded against their own rubric
__doc__ += "".join(f"\n- {name}: {why}." for name, why in LEFT_OUT.items())


def submissions() -> List[str]:
    found = []
    for folder in sorted(p for p in SUBMISSIONS.iterdir() if p.is_dir() and p.name != "__pycache__"):
        for entry in sorted(folder.iterdir()):
            name = entry.relative_to(SUBMISSIONS).as_posix()
            skipped = folder.name in LEFT_OUT or folder.name in OTHER_EXERCISES or name in LEFT_OUT
            if skipped or entry.name in NOT_SUBMISSIONS or entry.name == "__pycache__":
                continue
            found.append(name)
    return found


@pytest.fixture(scope="module")
def data(tmp_path_factory) -> public_data.PublicData:
    path = public_data.write_public_data(tmp_path_factory.mktemp("handout") / "public_data.npz", EXERCISE)
    return public_data.load_public_data(path, rubric.exercise(EXERCISE))


_DATA: Optional[public_data.PublicData] = None  # what a forked self-check reads


def _self_check(name: str) -> Dict:
    """What `python selfcheck.py FILE` (or, in a folder, `python selfcheck.py`) reports: scores and
    mistakes, or not run. A notebook checks itself in its last cell, on the definitions that running
    it leaves: the grader's extract of them; in a folder whose .py file is the stub, the self-check's
    note sends the student there."""
    assert _DATA is not None
    path = SUBMISSIONS / name
    function_name = _DATA.exercise.parts[0].contract.function
    try:
        given = None if path.is_dir() else str(path)
        chosen, _ = choose(given, function_name, _DATA.stub, _DATA.exercise.stub_file, path)
        if chosen.suffix == ".ipynb":  # the student runs its check cell
            module: dict = {}
            notebook = chosen
            exec(
                compile(load_submission(notebook, function_name).files[SUBMISSION_FILE], notebook.name, "exec"), module
            )
            function = module.get(function_name)
        elif chosen.suffix != ".py" or not chosen.is_file():
            return {"run": False}
        else:
            function = getattr(selfcheck.import_file(chosen), function_name, None)
    except (Exception, SystemExit):  # LoadError too: what the student's own run would stop at
        return {"run": False}
    if not callable(function):
        return {"run": False}
    return {"run": True, **_scores(selfcheck.check_function(function, _DATA))}


def _scores(document: Dict) -> Dict:
    return {
        "tests": [[t["name"], t["score"]] for t in document["tests"]],
        "mistakes": document["extra_data"]["mistakes"],
    }


def _forked(name: str, seconds: int = 120) -> Dict:
    """_self_check in a forked copy of this process, so no submission changes the next one's torch."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: answer through the pipe, then leave without running pytest's exit code
        os.close(read)
        signal.alarm(seconds)  # its default action ends the child: a silent pipe, reported below
        try:
            answer = json.dumps(_self_check(name))
        except BaseException as exc:
            answer = json.dumps({"run": "crashed", "error": repr(exc)})
        with os.fdopen(write, "w") as handle:
            handle.write(answer)
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as handle:
        text = handle.read()
    os.waitpid(pid, 0)
    return json.loads(text) if text else {"run": "no answer (killed, or out of time)"}


@pytest.fixture(scope="module")
def self_checked(data) -> Dict[str, Dict]:
    global _DATA
    _DATA = data
    return {name: _forked(name) for name in submissions()}


@pytest.mark.slow
def test_the_self_check_and_the_grader_agree_on_every_submission(zygote, self_checked):
    public = rubric.load_rubric(EXERCISE, public_only=True)
    disagree = []
    for name, mine in self_checked.items():
        document = grade_safely(SUBMISSIONS / name, zygote, public, learning=False)
        graded = document["extra_data"]["status"] != NOT_GRADED
        theirs = {"run": graded, **(_scores(document) if graded else {})}
        if mine != theirs:
            disagree.append(f"{name}:\n  self-check {mine}\n  grader     {theirs}")
    assert len(self_checked) >= 70 and not disagree, "\n".join(disagree)


def test_every_folder_of_the_corpus_is_compared_or_left_out_for_a_reason():
    folders = {p.name for p in SUBMISSIONS.iterdir() if p.is_dir() and p.name != "__pycache__"}
    assert folders - {"hostile"} - OTHER_EXERCISES <= {Path(name).parts[0] for name in submissions()}
    assert all(len(why) > 20 for why in LEFT_OUT.values())
