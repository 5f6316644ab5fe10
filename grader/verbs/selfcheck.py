"""Student self-check on the public cases, without the reference: `python selfcheck.py [file]`.

The handout carries `public_data.npz` (public_data.py): every part's public cases with
their expected answers, and the answers of the known mistakes on the diagnosis probes
(numbers only, no implementation). This module runs the student's functions in-process on
the student's own machine, grades each part with the same checks as the real grader and
names the mistake the same way. It needs only numpy and torch.
"""

from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Tuple, cast

from grader.calling.oracle import LocalOracle
from grader.calling.raised import error_text
from grader.checks.assessment import assess, summary
from grader.checks.part import Catalog, Part, load_walkthroughs
from grader.checks.verdicts import CheckResult
from grader.errors import Exit
from grader.outputs import results
from grader.text import Markdown, code, printable
from grader.verbs.choice import choose
from grader.verbs.explain import explain, sections
from grader.verbs.inprocess import as_graded, import_file
from grader.verbs.parts import not_run, section
from grader.verbs.public_data import EXERCISE, PublicData, PublicPart, load_public_data
from grader.verbs.terminal import report, wrap


def check_function(
    function: Callable, data: Optional[PublicData] = None, notes: Sequence[Markdown] = ()
) -> results.Results:
    """The self-check's results.json for the exercise's first function (runs it in this process)."""
    data = data or load_public_data()
    return check_functions({data.parts[0].part.function: function}, data, notes)


def check_functions(
    functions: Mapping[str, Optional[Callable]], data: Optional[PublicData] = None, notes: Sequence[Markdown] = ()
) -> results.Results:
    """The self-check's results.json for every part: each function of functions (None: not defined)
    checked as its part; a part functions does not name is left out."""
    data = data or load_public_data()
    several = len(data.parts) > 1
    checks: List[CheckResult] = []
    sections: List[Markdown] = []
    mistakes: List[str] = []
    for public in data.parts:
        if public.part.function not in functions:
            continue
        found, said, named = _check_part(public, functions[public.part.function])
        found, said = section(public.part.function, found, said) if several else (found, said)
        checks += found
        sections.append(said)
        mistakes += named
    learning = [check for p in data.parts for check in p.part.learnings]
    watched = data.exercise.watched
    also = ""
    if len(learning) == 1:
        also = f" and runs the learning check ({learning[0].title}): `python selfcheck.py --learn` runs that one here"
    elif learning and watched is not None:
        titles = "; ".join(check.title for check in learning)
        also = (
            f" and runs {len(learning)} learning checks ({titles}): `python selfcheck.py --learn` runs "
            f"“{watched[1].title}” here"
        )
    not_here = Markdown(f"The real grader also checks hidden cases{also}.")
    text = Markdown("\n\n".join([*sections, *notes, not_here]))
    return results.build(checks, summary=text, mistakes=mistakes)


def _check_part(
    public: PublicPart, function: Optional[Callable]
) -> Tuple[List[CheckResult], Markdown, Tuple[str, ...]]:
    if function is None:
        found, said = not_run(
            public.part, public.weights, f"the file defines no function named {code(public.part.function)}"
        )
        return found, said, ()
    oracle = LocalOracle(function, public.part.contract)
    with as_graded():
        result = assess(oracle, public.part, public.cases, public.weights, lambda: (public.suspects, public.catalog))
    unscored = [Markdown(result.unscored)] if result.unscored else []  # why every check scores 0, said first
    return result.checks, summary(result, public.catalog, unscored), result.mistakes


def explain_function(function: Callable, data: Optional[PublicData] = None, name: str = "") -> str:
    """The first part's walk-through beside what the function (in file name) gives."""
    data = data or load_public_data()
    return explain_functions({data.parts[0].part.function: function}, data, name)


def explain_functions(
    functions: Mapping[str, Optional[Callable]], data: Optional[PublicData] = None, name: str = ""
) -> str:
    """Each walk-through of a part functions names, step by step, beside what the student's
    function of that part (in file name; None: not defined) gives; then the self-check's verdict."""
    data = data or load_public_data()
    explained = []
    for walkthrough in load_walkthroughs(EXERCISE):
        if walkthrough.function not in functions:
            continue
        public = next(p for p in data.parts if p.part.function == walkthrough.function)
        function = functions[walkthrough.function]
        if function is None:
            explained.append(
                (walkthrough.function, f"{name or 'Your file'} defines no function named {walkthrough.function}.")
            )
            continue
        oracle = LocalOracle(function, public.part.contract)
        with as_graded():
            said = explain(oracle, walkthrough, name or f"your {walkthrough.function}", public.catalog)
        explained.append((walkthrough.function, said))
    if not explained:
        return "This exercise has no walk-through."
    catalog = {key: entry for public in data.parts for key, entry in public.catalog.items()}
    return sections(explained) + _verdict(check_functions(functions, data), catalog)


def _verdict(document: results.Results, catalog: Catalog) -> str:
    """What the self-check finds, after the walk-through: one small batch cannot show every mistake
    (inputs changed in place, extreme logits, a combination), and the student must not read the
    walk-through's "matches" or "none of the usual wrong turns" as the self-check's verdict."""
    failed = [test for test in document["tests"] if test["status"] != "passed"]
    if not failed:
        return "\n\nThe self-check passes it too (`python selfcheck.py`)."
    named = [entry.title for mistake, entry in catalog.items() if mistake in document["extra_data"]["mistakes"]]
    first, number = failed[0]["name"], failed[0]["number"]
    title = first.removeprefix(f"{number}. ")  # the name carries its number for Gradescope
    found = f": {'; and '.join(named)}" if named else f" that it fails test {number} ({title})"
    return f"\n\nThe self-check finds{found}. `python selfcheck.py` shows the numbers."


def learn_in_notebook(function: Callable, **partners: Callable) -> Optional[bool]:
    """The notebook's learning cell: `--learn`'s run, its plot shown inline as well as saved
    (partners: the other functions its check trains with, by name)."""
    from grader.verbs.learn import PICTURE, learn_function

    data = load_public_data()
    given = {name: (other, data.exercise.part(name)) for name, other in partners.items()}
    passed = learn_function(function, _learning_part(data), data.learning, partners=given)
    if passed is not None and Path(PICTURE).is_file():
        from IPython.display import Image, display  # a notebook's kernel has IPython

        display(Image(filename=PICTURE))
    return passed


def _learning_part(data: PublicData) -> Part:
    """The part whose learning check --learn runs (main offers --learn only when there is one)."""
    return data.exercise.part(data.learning["function"])


def main(argv: Sequence[str] = ()) -> Exit:
    data = load_public_data()
    functions = data.exercise.functions
    parser = argparse.ArgumentParser(prog="python selfcheck.py", description="Check your work on the public cases.")
    parser.add_argument("file", nargs="?", help=f"the .py file to check (default: {data.exercise.stub_file} here)")
    parser.add_argument("--explain", action="store_true", help="walk one small batch through, step by step")
    parser.add_argument("--json", action="store_true", help="print the results as JSON, for tools")
    if data.learning:
        parser.add_argument(
            "--learn", action="store_true", help="train policies with it as the grader does (gymnasium)"
        )
    args = parser.parse_args(list(argv))
    path, notes = choose(args.file, functions[0], data.stub, data.exercise.stub_file)
    if not path.is_file():
        print(f"error: {path} does not exist; run this next to your {path.name} or pass its path", file=sys.stderr)
        return Exit.USAGE
    if path.suffix != ".py":
        print(wrap(printable("\n\n".join(notes))), end="\n\n" if notes else "")
        print(
            f"{path} is what the grader would grade here, and it is not a .py file: a notebook checks itself in "
            "its check cell; or pass a .py file to check",
            file=sys.stderr,
        )
        return Exit.USAGE
    try:
        module = import_file(path)
    except (Exception, SystemExit) as exc:  # the student's sys.exit() at import too
        print(printable(f"Importing {path} failed: {error_text(exc)}"))
        return Exit.FAILED
    found: Dict[str, Optional[Callable]] = {name: getattr(module, name, None) for name in functions}
    found = {name: function if callable(function) else None for name, function in found.items()}
    if not any(found.values()):
        print(printable(f"{path} defines no function named {' or '.join(functions)}"))
        return Exit.FAILED
    if args.explain:
        print(wrap(printable("\n\n".join([*notes, explain_functions(found, data, path.name)]))))
        return Exit.OK
    if getattr(args, "learn", False):
        return _learn(path, notes, data, found)
    document = check_functions(found, data, notes)
    print(results.dumps(document) if args.json else report(document))
    return Exit.OK if all(test["status"] == "passed" for test in document["tests"]) else Exit.FAILED


def _learn(path: Path, notes: List[Markdown], data: PublicData, found: Dict[str, Optional[Callable]]) -> Exit:
    from grader.verbs.learn import learn_function  # gymnasium only when asked for

    part = _learning_part(data)
    missing = [name for name in [part.function, *data.learning["partners"]] if found.get(name) is None]
    if missing:
        print(printable(f"{path} defines no function named {missing[0]}, which --learn trains with"))
        return Exit.FAILED
    function = cast(Callable, found[part.function])
    print(wrap(printable("\n\n".join(notes))), end="\n\n" if notes else "")
    partners = {name: (cast(Callable, found[name]), data.exercise.part(name)) for name in data.learning["partners"]}
    passed = learn_function(function, part, data.learning, partners=partners)
    if passed:  # a mistake that only slows learning (an undiscounted reward-to-go) passes it
        tests = check_functions({part.function: function}, data)["tests"]
        failed = [test for test in tests if test["status"] != "passed"]
        if failed:
            print(
                wrap(
                    f"\nLearning is not the whole grade: your {part.function} still fails {len(failed)} of its "
                    f"{len(tests)} checks on the public cases; `python selfcheck.py` says what is wrong."
                )
            )
    return Exit.USAGE if passed is None else Exit.OK if passed else Exit.FAILED


def run(argv: Sequence[str]) -> int:
    """main, without a traceback when the reader stops reading early (`| head`, quitting `less`)."""
    try:
        return main(argv)
    except BrokenPipeError:
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # so the flush at exit cannot fail again
        return 128 + signal.SIGPIPE  # what a shell reports for a pipe closed under a program


if __name__ == "__main__":
    raise SystemExit(run(sys.argv[1:]))
