"""Command line: `python -m grader {check,grade,explain,batch,gradescope} ...`.

Each verb starts the sandbox's zygote first, before the rubric (and with it the
reference solution) is loaded, then hands over to the module that does the work.
Under `python -m grader` the zygote was forked even before the command line was
parsed (grader/__main__.py), and Zygote.start() hands out that one.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import List, NoReturn, Optional

from grader.errors import Exit
from grader.outputs import results
from grader.sandbox.parent import Zygote


def main(argv: Optional[List[str]] = None) -> Exit:
    args = _parser().parse_args(argv)
    return args.run(args)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m grader", description="Grade a course's exercises: a submission, a class, a Gradescope upload."
    )
    verbs = parser.add_subparsers(dest="verb", required=True)
    exercise = argparse.ArgumentParser(add_help=False)
    exercise.add_argument(
        "--exercise", default=None, metavar="NAME", help="which exercise (default: assignment/exercises.json's)"
    )
    check = verbs.add_parser("check", parents=[exercise], help="self-check a submission on the public cases")
    check.add_argument("submission", type=_existing, help="a .py or .ipynb file, or a folder")
    check.set_defaults(run=_check)
    grade = verbs.add_parser("grade", parents=[exercise], help="grade one submission on every case")
    grade.add_argument("submission", type=_existing)
    grade.add_argument("--json", action="store_true", help="print results.json instead of the summary")
    course = "also run this file's course tests (unittest, gradescope-utils), as rubric.json's extra_tests"
    grade.add_argument("--extra-tests", type=_existing, metavar="FILE", help=course)
    grade.set_defaults(run=_grade)
    batch = verbs.add_parser(
        "batch", parents=[exercise], help="grade every file or folder of DIR (or a Gradescope export)"
    )
    batch.add_argument("directory", type=_directory)
    batch.add_argument("--out", type=Path, required=True, help="where results/, grades.csv and report.md go")
    batch.add_argument(
        "--jobs", type=_positive, default=None, help="submissions graded at once (default: one per core)"
    )
    batch.add_argument("--force", action="store_true", help="regrade entries that already have a result")
    batch.add_argument(
        "--only",
        nargs="+",
        default=(),
        metavar="ENTRY",
        help="regrade these entries alone (a folder or file, or a student's name, SID or email), keeping the others",
    )
    batch.add_argument(
        "--late-policy",
        metavar="RULE",
        help='a late penalty in its own column, e.g. "10%%/day,cap=50%%,grace=15m" (default: rubric.json\'s)',
    )
    batch.add_argument(
        "--skip", nargs="+", default=(), metavar="NAME", help="names in DIR that are no submission (course files)"
    )
    batch.set_defaults(run=_batch)
    explain = verbs.add_parser(
        "explain", parents=[exercise], help="walk one small batch through step by step beside a submission's numbers"
    )
    explain.add_argument("submission", type=_existing)
    explain.set_defaults(run=_explain)
    gradescope = verbs.add_parser(
        "gradescope", parents=[exercise], help="grade ROOT/submission into ROOT/results/results.json"
    )
    gradescope.add_argument(
        "--root", type=Path, default=Path("/autograder"), help="Gradescope's root (default /autograder)"
    )
    gradescope.set_defaults(run=_gradescope)
    return parser


def _exercise(args) -> str:
    """The exercise asked for, checked before the sandbox starts: a typo is a usage error."""
    from grader.course import registry
    from grader.errors import GraderError

    try:
        return registry.resolve(args.exercise)
    except GraderError as exc:
        _usage_error(str(exc))


def _usage_error(message: str) -> NoReturn:
    """A misused command: the message on stderr and exit status 2, as argparse does."""
    print(f"python -m grader: error: {message}", file=sys.stderr)
    raise SystemExit(Exit.USAGE)


def _existing(text: str) -> Path:
    if not Path(text).exists():
        raise argparse.ArgumentTypeError(f"{text} does not exist")
    return Path(text)


def _directory(text: str) -> Path:
    if not Path(text).is_dir():
        raise argparse.ArgumentTypeError(f"{text} is not a directory")
    return Path(text)


def _positive(text: str) -> int:
    if not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of at least 1")
    return int(text)


def _grade_one(path: Path, exercise: str, public_only: bool, extra_tests: Optional[Path] = None) -> results.Results:
    import dataclasses

    from grader.course import rubric
    from grader.errors import GraderError
    from grader.verbs import extra_tests as course
    from grader.verbs.grade import grade_safely

    with Zygote.start() as zygote:  # before the rubric imports the reference, and the course tests may
        graded = rubric.load_rubric(exercise, public_only=public_only)
        if extra_tests is not None:
            try:
                course.load_course_tests(extra_tests.resolve())
            except GraderError as exc:  # the file is the command's argument: a usage error
                _usage_error(str(exc))
            graded = dataclasses.replace(graded, extra_tests=extra_tests.resolve())
        return grade_safely(path, zygote, graded)


def _check(args) -> Exit:
    print(results.to_text(_grade_one(args.submission, _exercise(args), public_only=True)))
    return Exit.OK


def _grade(args) -> Exit:
    document = _grade_one(args.submission, _exercise(args), public_only=False, extra_tests=args.extra_tests)
    print(results.dumps(document) if args.json else results.to_text(document))
    return Exit.OK


def _explain(args) -> Exit:
    from grader.verbs.explain import explain_submission

    exercise = _exercise(args)
    with Zygote.start() as zygote:
        print(explain_submission(args.submission, zygote, exercise))
    return Exit.OK


def _batch(args) -> Exit:
    from grader.batch.run import run_batch

    return run_batch(
        args.directory,
        args.out,
        jobs=args.jobs,
        force=args.force,
        exercise=_exercise(args),
        only=args.only,
        skip=args.skip,
        late_policy=args.late_policy,
    )


def _gradescope(args) -> Exit:
    from grader.verbs import gradescope

    return gradescope.run(args.root, _exercise(args))
