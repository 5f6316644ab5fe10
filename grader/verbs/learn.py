"""`python selfcheck.py --learn [file]` and the notebook's learning cell: watch your own loss learn.

This is the grader's learning check (grader.learning.check), run on the student's computer: the
exercise's own trainer, its seeds, threshold and budget, with the student's function called in
this process, as the self-check calls it. The handout ships the trainer's environment code, which
holds nothing secret; the reference loss stays out, and only its curves (numbers, made by `make
handout`) are in public_data.npz, to draw beside the student's. gymnasium (and what the trainer's
environment needs, such as mujoco) is an optional extra of the handout; matplotlib draws the plot.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Dict, List, Mapping, Optional, Sequence, Tuple

from grader.calling.oracle import LocalOracle
from grader.checks.part import Part
from grader.learning.check import Trainer, check_learning, partners_of, trainer
from grader.outputs import plots
from grader.text import printable
from grader.verbs.inprocess import as_graded
from grader.verbs.terminal import wrap

Echo = Callable[[str], None]
PICTURE = "learning_curves.png"
PLOT_NEEDS = "matplotlib"  # the plot's, besides what the trainer NEEDS


def reference_learning(exercise: str) -> Dict[str, Any]:
    """What --learn needs of the instructor side, for public_data.npz (made by `make handout`): the
    check it runs (Exercise.watched) and its part's function, the other functions of the upload it
    trains with, the trainer's module, what it needs installed, the check's weight and the
    reference's curve on every grading seed ({} without a learning check). Numbers and names only:
    no code of the reference leaves reference/."""
    from grader.course import registry, rubric

    pins = dict(
        line.split("==", 1) for line in (registry.ROOT / "requirements.txt").read_text().split() if "==" in line
    )
    loaded = rubric.load_rubric(exercise, public_only=True)
    watched = loaded.exercise.watched
    if watched is None:
        return {}
    part, declared = watched
    module_name = rubric.solution(exercise, part.function).trainer(declared)
    module = trainer(module_name)
    together = watched_partners(exercise)
    other = loaded.exercise.part
    partners = {
        name: (LocalOracle(rubric.solution(exercise, name).reference, other(name).contract), other(name))
        for name in together
    }
    weight = next(g for g in loaded.parts if g.function == part.function).weights[declared.key]
    reference = LocalOracle(rubric.solution(exercise, part.function).reference, part.contract)
    _, extra = check_learning(reference, part, declared, module, weight, partners=partners)
    return {
        "function": part.function,
        "key": declared.key,
        "partners": together,
        "module": module_name,
        "needs": list(module.NEEDS),
        "install": install_line([*module.NEEDS, PLOT_NEEDS], pins),
        "weight": weight,
        "reference": {str(run["seed"]): run["returns"] for run in extra[declared.key]["runs"]},
    }


def watched_partners(exercise: str) -> List[str]:
    """The other functions of the upload the check --learn runs trains with: its trainer's PARTNERS
    when it trains them together (Check.together), else none (the trainer's own are correct)."""
    from grader.course import rubric

    watched = rubric.exercise(exercise).watched
    if watched is None or not watched[1].together:
        return []
    return list(partners_of(trainer(rubric.solution(exercise, watched[0].function).trainer(watched[1]))))


def install_line(needs: Sequence[str], pins: Mapping[str, str]) -> str:
    """`pip install` of what the trainer needs, at the versions tested (pins: name -> version)."""
    return "pip install " + " ".join(f"{name}=={pins[name]}" if name in pins else name for name in needs)


def learn_function(
    function: Callable,
    part: Part,
    info: Mapping[str, Any],
    echo: Echo = print,
    partners: Mapping[str, Tuple[Callable, Part]] = {},
) -> Optional[bool]:
    """Train with function as the grader does (info: reference_learning's; partners: the student's
    other functions it trains with, info["partners"]), telling echo each iteration's mean return;
    True or False as the grader's learning check would pass, None when gymnasium (or the like) is
    missing. The plot goes to PICTURE in the current folder."""
    learning = _import_trainer(info, echo)
    if learning is None:
        return None
    reference = {int(seed): curve for seed, curve in info["reference"].items()}
    seeds = ", ".join(str(seed) for seed in learning.GRADING_SEEDS)
    yours = " and your ".join([part.function, *partners])
    echo(
        wrap(
            f"Training {learning.ENV} policies with your {yours}, as the grader does: "
            f"seeds {seeds}; each passes when its mean return reaches {learning.THRESHOLD:g}."
        )
    )

    def progress(seed: int, iteration: int, mean_return: float) -> None:
        theirs = reference.get(seed, [])
        beside = f"   (reference: {theirs[iteration - 1]:6.1f})" if iteration <= len(theirs) else ""
        echo(f"seed {seed:>3}  iteration {iteration:>3}  mean return {mean_return:6.1f}{beside}")

    oracle = LocalOracle(function, part.contract)
    declared = next(check for check in part.learnings if check.key == info["key"])
    given = {name: (LocalOracle(other, their.contract), their) for name, (other, their) in partners.items()}
    try:
        with as_graded():
            result, extra = check_learning(oracle, part, declared, learning, info["weight"], progress, given)
    except Exception as exc:  # the environment's own missing piece (mujoco), as gymnasium reports it
        if type(exc).__name__ != "DependencyNotInstalled":
            raise
        echo(_missing(info, str(exc)))
        return None
    verdict = "PASSED" if result.passed else "FAILED"
    echo(wrap(printable(f"\nLearning check {verdict} ({result.title}).\n{result.output}")))
    mine = {run["seed"]: run["returns"] for run in extra[declared.key]["runs"]}
    stopped = [str(seed) for seed in learning.GRADING_SEEDS if seed not in mine]
    if stopped:  # the trainer ends every run at the first failed seed, as the grader's does
        named = f"Seeds {', '.join(stopped[:-1])} and {stopped[-1]}" if len(stopped) > 1 else f"Seed {stopped[0]}"
        echo(wrap(f"{named} stopped early: one failed seed fails the check already."))
    drawn = _draw(mine, reference, learning, echo)
    if drawn is not None:
        Path(PICTURE).write_bytes(drawn)
        echo(f"\nYour curves and the reference's are drawn in {PICTURE}, in this folder.")
    return result.passed


def _import_trainer(info: Mapping[str, Any], echo: Echo) -> Optional[Trainer]:
    try:
        return trainer(info["module"])
    except ImportError as exc:
        echo(_missing(info, str(exc)))
        return None


def _missing(info: Mapping[str, Any], why: str) -> str:
    needs = ", ".join(info["needs"][:-1]) + " and " * (len(info["needs"]) > 1) + info["needs"][-1]
    return wrap(
        printable(
            f"The learning check needs {needs}, an optional extra of this handout ({why}).\n"
            f"Install it with: {info['install']}\n"
            "The self-check without --learn needs only torch and numpy."
        )
    )


def _draw(mine: Dict[int, Sequence[float]], reference: Dict[int, Sequence[float]], learning: Trainer, echo: Echo):
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        echo("(Install matplotlib to get a plot of these curves.)")
        return None
    return plots.own_curves(mine, reference, learning.THRESHOLD, f"{learning.ENV}: your loss and the reference's")
