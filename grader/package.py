"""Build the zips a course hands out: `python -m grader.package autograder|handout OUT.zip [--exercise NAME]`.

Each zip carries one exercise. autograder.zip is what Gradescope takes: setup.sh
and run_autograder at its root, the grader, the exercise's public folder and its
reference with the hidden cases and the course tests rubric.json names, and the
pinned requirements; no tests, venv or caches.

handout.zip is what students get: the stub, the handout text, a notebook made
from the stub, the exercise's public module, the self-check's launcher (made
here, one for every exercise) with the part of the grader it needs (numpy and
torch only), the public cases' expected answers, and for `--learn` the learning
environment's modules and the reference's curves; of reference/, nothing else.
"""

from __future__ import annotations

import ast
import json
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Iterable, List, Sequence, Set, Tuple

from grader.checks.part import Exercise
from grader.course import registry, rubric
from grader.course.registry import ROOT
from grader.errors import Exit, GraderError

_SKIP_PARTS = {"__pycache__", ".pytest_cache", ".ipynb_checkpoints"}
# What the handout's own code starts from; the grader modules it needs are followed from there.
HANDOUT_ROOTS = ("grader/verbs/selfcheck.py", "grader/verbs/learn.py")
_FOLLOWED = ("grader", "reference")  # the packages whose imports are followed; of reference, a trainer's only


def handout_modules(*roots: Path) -> List[Path]:
    """The grader modules among roots and those they import at module level, followed through, with
    their packages' __init__.py. Imports inside functions are left out: they are the parts the handout never runs
    (write_public_data's reference, explain_submission's sandbox), so a student never gets them. Of
    reference/, only modules a root imports (a trainer's environment code) and never an __init__.py,
    which would import the reference loss and the catalog: reference/NAME is a namespace package there."""
    found: Set[Path] = set()
    todo = list(roots)
    while todo:
        for name in _module_imports(todo.pop()):
            parts = name.split(".")
            for depth in range(2, len(parts) + 1):  # grader.calling.answer: grader/checks/__init__.py too
                base = ROOT.joinpath(*parts[:depth])
                inits = (base / "__init__.py",) if parts[0] == "grader" else ()
                for path in (*inits, base.with_suffix(".py")):
                    if path.is_file() and path not in found:
                        found.add(path)
                        todo.append(path)
    ours = {root for root in roots if any(ROOT / top in root.parents for top in _FOLLOWED)}
    return sorted(found | {ROOT / "grader" / "__init__.py"} | ours)


def _module_imports(path: Path) -> List[str]:
    """The grader modules (and names that may be modules) a file imports at its top level."""
    names: List[str] = []
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Import):
            names += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names += [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
    return [name for name in names if name.split(".")[0] in _FOLLOWED]


# The grader modules the self-check needs, as "calling/answer" (an exercise's modules may add some).
HANDOUT_MODULES = tuple(
    str(p.relative_to(ROOT / "grader").with_suffix("")) for p in handout_modules(*(ROOT / r for r in HANDOUT_ROOTS))
)


def _files(folder: Path, pattern: str = "*") -> Iterable[Path]:
    for path in sorted(folder.rglob(pattern)):
        if path.is_file() and not _SKIP_PARTS & set(path.parts) and path.suffix not in (".pyc", ".pyo"):
            yield path


def _write(out: Path, members: Iterable[Tuple[Path, str]]) -> Path:
    """Write (source file, name in zip) pairs; shell scripts keep their executable bit."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for source, name in members:
            info = zipfile.ZipInfo(name, date_time=(2020, 1, 1, 0, 0, 0))  # same bytes on every build
            mode = 0o755 if source.stat().st_mode & 0o100 else 0o644
            info.external_attr = (0o100000 | mode) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, source.read_bytes())
    return out


def autograder(out: Path, exercise: str) -> Path:
    scripts = ROOT / "grader" / "autograder"
    with tempfile.TemporaryDirectory() as scratch:
        course = Path(scratch) / registry.COURSE.name
        listed = json.loads(registry.COURSE.read_text())
        shipped = {exercise, *rubric.exercise(exercise).homes.values()}
        listed["exercises"] = {name: line for name, line in listed["exercises"].items() if name in shipped}
        course.write_text(json.dumps({**listed, "default": exercise}, indent=2))  # graded, beside its components
        members = [
            (scripts / "setup.sh", "setup.sh"),
            (scripts / "run_autograder", "run_autograder"),
            (ROOT / "requirements.txt", "requirements.txt"),
            (ROOT / "reference" / "__init__.py", "reference/__init__.py"),
            (course, str(registry.COURSE.relative_to(ROOT))),
        ]
        return _write(out, members + _graded_files(exercise))


def _graded_files(exercise: str) -> List[Tuple[Path, str]]:
    """The grader and the exercise's folders (a composite's components' too), as this tree has them."""
    scripts = ROOT / "grader" / "autograder"
    members = [(p, str(p.relative_to(ROOT))) for p in _files(ROOT / "grader") if scripts not in p.parents]
    spec = rubric.exercise(exercise)
    for name in {exercise, *spec.homes.values()}:  # a composite's components grade its parts
        public, private = registry.folders(name)
        shipped = [public / "exercise.py", *public.glob("public_cases.json"), *_files(private)]
        # the stub (the loader never grades it unchanged); a composite's joins its components'
        shipped += [public / spec.stub_file] if name == exercise else [public / rubric.exercise(name).stub_file]
        members += [(p, str(p.relative_to(ROOT))) for p in shipped]
    course_tests = rubric.extra_tests_file(exercise)  # in reference/NAME, so shipped above
    if course_tests is not None:  # imported and checked here: a broken file fails the build, not every upload
        from grader.verbs.extra_tests import load_course_tests

        load_course_tests(course_tests)
    return members


EXERCISE_FOLDER = "exercise"  # in the handout: the exercise's public modules (grader.verbs.selfcheck reads them there)

# The handout's selfcheck.py, the same for every exercise but for the names in it.
LAUNCHER = '''"""Check your {functions} on the public cases: `python selfcheck.py [path/to/{stub}]`.

Runs your code on this computer, compares its answers with the expected ones and names the
mistake when it recognises one. Needs torch and numpy; `python selfcheck.py --help` lists the
options (`--learn`, where the exercise has a learning check, also needs gymnasium: see README.md).
"""

import sys

from grader.verbs.selfcheck import run

raise SystemExit(run(sys.argv[1:]))
'''


def handout(out: Path, exercise: str) -> Path:
    from grader.verbs.learn import watched_partners
    from grader.verbs.public_data import write_public_data

    public, _ = registry.folders(exercise)
    spec = rubric.exercise(exercise)
    stub = spec.stub_file
    with tempfile.TemporaryDirectory() as scratch:
        data = write_public_data(Path(scratch) / "public_data.npz", exercise)
        filled = Path(scratch) / stub  # a composite's stub holds its components' functions too
        filled.write_text(rubric.stub_text(exercise))
        notebook = Path(scratch) / Path(stub).with_suffix(".ipynb").name
        write_notebook(filled, public / "README.md", notebook, spec, watched_partners(exercise))
        launcher = Path(scratch) / "selfcheck.py"
        launcher.write_text(LAUNCHER.format(functions=" and ".join(spec.functions), stub=stub))
        # At the top the student sees their own files and the self-check; the exercise's modules
        # (the checks' data, the walk-through) are in a folder of their own.
        modules = _public_modules(spec)
        members = [(filled, stub), (public / "README.md", "README.md")]
        members += [(public / name, f"{EXERCISE_FOLDER}/{name}") for name in modules]
        # A component's public module, where load_public finds it: as in this tree.
        homes = [registry.folders(name)[0] for name in dict.fromkeys(spec.homes.values())]
        components = [home / name for home in homes for name in _public_modules(rubric.exercise(home.name))]
        members += [(p, str(p.relative_to(ROOT))) for p in components]
        members += [(home / "README.md", f"README-{home.name}.md") for home in homes]  # what each part asks
        members += [(launcher, launcher.name), (notebook, notebook.name), (data, data.name)]
        roots = [ROOT / root for root in HANDOUT_ROOTS] + [public / name for name in modules] + components
        trainers = [
            rubric.solution(exercise, part.function).trainer(check) for part in spec.parts for check in part.learnings
        ]
        roots += [ROOT.joinpath(*module.split(".")).with_suffix(".py") for module in trainers]
        members += [(p, str(p.relative_to(ROOT))) for p in handout_modules(*roots)]
        return _write(out, members)


def _public_modules(spec: Exercise) -> List[str]:
    """An exercise's public modules a self-check imports: its exercise.py and its walk-through's."""
    return ["exercise.py", *([spec.walkthrough] if spec.walkthrough else [])]


def _title(readme: Path) -> str:
    """The exercise's handout README's first heading, to open its notebook with."""
    lines = readme.read_text().splitlines() if readme.is_file() else []
    return next((line for line in lines if line.startswith("# ")), "# The exercise")


# The notebook's first cell: the check cells import the handout's grader/, which must be beside it.
# Jupyter opened in the unzipped folder has it; Colab starts in /content with the notebook alone.
SETUP_CELL = """# Run this cell first: the check cells below need the handout's files beside this notebook.
import os
import zipfile

if not os.path.isdir("grader") and os.path.isfile("handout.zip"):  # Colab: handout.zip uploaded
    with zipfile.ZipFile("handout.zip") as handout:
        handout.extractall(".", [n for n in handout.namelist() if not os.path.exists(n)])
if os.path.isdir("grader"):
    print("Ready: the self-check is in", os.getcwd())
else:
    print(
        "The check cells need the handout's grader/ folder and public_data.npz beside this notebook,"
        f" and {os.getcwd()} has neither.\\n"
        "- Colab: click the folder icon on the left, upload handout.zip, then run this cell again.\\n"
        "- Jupyter: unzip handout.zip and open this notebook from the unzipped folder."
    )"""


def write_notebook(stub: Path, readme: Path, out: Path, spec: Exercise, partners: Sequence[str] = ()) -> Path:
    """The stub as a notebook: a setup cell, a short introduction, the functions to fill in, the
    walk-through, the self-check and the learning check (those the exercise has)."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

    first, named = spec.functions[0], " and ".join(f"`{name}`" for name in spec.functions)
    checked = ", ".join(f"{name!r}: {name}" for name in spec.functions)
    cells = [
        new_markdown_cell(
            f"{_title(readme)}\n\nImplement {named} below; `README.md` "
            "explains the exercise. Then run the cells after it, in order, to check your work. "
            "Submit the notebook or a `.py` file: the grader keeps imports and definitions and "
            "ignores other top-level code, these check cells included."
        ),
        new_code_cell(SETUP_CELL),
        new_code_cell(stub.read_text().strip()),
    ]
    if spec.walkthrough:
        several = len(spec.parts) > 1
        beside = "each function's answers" if several else "your function's value and gradient"
        call, argument = ("explain_functions", f"{{{checked}}}") if several else ("explain_function", first)
        cells += [
            new_markdown_cell(
                "To see where your numbers part from the correct ones, this cell works through one small batch "
                f"step by step, with {beside} beside it (`python selfcheck.py --explain`)."
            ),
            new_code_cell(f"from grader.verbs.selfcheck import {call}\n\nprint({call}({argument}))"),
        ]
    cells += [
        new_markdown_cell("Check your work on the public cases (`python selfcheck.py`):"),
        new_code_cell(
            "from grader.verbs.selfcheck import check_functions\nfrom grader.verbs.terminal import report\n\n"
            f"print(report(check_functions({{{checked}}})))"
        ),
    ]
    watched = spec.watched
    if watched:
        learning = ", ".join([watched[0].function, *(f"{p}={p}" for p in partners)])
        cells += [
            new_markdown_cell(
                "Watch your code learn (`python selfcheck.py --learn`): this trains policies with it "
                "exactly as the grader's learning check does, prints each iteration's mean return and draws "
                "your curves beside the reference's. It needs gymnasium (`README.md` says what to install)."
            ),
            new_code_cell(f"from grader.verbs.selfcheck import learn_in_notebook\n\nlearn_in_notebook({learning})"),
        ]
    notebook = new_notebook(
        cells=cells, metadata={"kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}}
    )
    nbformat.validate(notebook)
    out.write_text(nbformat.writes(notebook))
    return out


def main(argv=None) -> Exit:
    import argparse

    parser = argparse.ArgumentParser(prog="python -m grader.package", description="Build a course's zips.")
    parser.add_argument("kind", choices=("autograder", "handout"))
    parser.add_argument("out", type=Path)
    parser.add_argument("--exercise", default=None, metavar="NAME", help="default: assignment/exercises.json's")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    builders = {"autograder": autograder, "handout": handout}
    try:
        exercise = registry.resolve(args.exercise)
        out = builders[args.kind](args.out, exercise)
    except GraderError as exc:  # an unknown exercise; course tests that cannot be loaded
        parser.error(str(exc))  # exits Exit.USAGE, like every misused command
    print(f"wrote {out} ({out.stat().st_size // 1024} KiB)")
    return Exit.OK


if __name__ == "__main__":
    raise SystemExit(main())
