"""One results document from the parts of an upload: each part's checks (named after its function
when the exercise has several), a section of the summary per part, per-part scores for the TA."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Dict, List, Optional, Sequence, Tuple, cast

from grader import text
from grader.checks.assessment import Assessment, hidden_results, summary, what_is_wrong
from grader.checks.held import VISIBLE
from grader.checks.part import Part
from grader.checks.verdicts import CheckResult
from grader.outputs import results
from grader.outputs.results import Extra, PartScore, Results
from grader.text import Markdown

if TYPE_CHECKING:  # the self-check uses section and not_run, and its handout has no rubric
    from grader.course.rubric import Graded, Rubric
    from grader.verbs.extra_tests import CourseTests


@dataclass(frozen=True)
class Done:
    """One part of an upload, graded: its assessment, or why its function could not be imported."""

    graded: Graded
    weights: Dict[str, float]
    assessment: Optional[Assessment]
    error: str  # the import's error when assessment is None


def weights_of(graded: Graded, learning: bool) -> Dict[str, float]:
    """The part's points per check; without learning (--no-learning), its learning check is not graded."""
    dropped = {check.key for check in graded.part.learnings} if not learning else set()
    return {key: weight for key, weight in graded.weights.items() if key not in dropped}


def document(
    done: Sequence[Done],
    rubric: Rubric,
    course: Optional[CourseTests],
    notes: Sequence[Markdown],
    extra: Extra,
    seconds: float,
    timing: Dict[str, float],
    printed: Markdown = Markdown(""),
) -> Results:
    """The results document of a submission that ran: each part's checks, then the course's own tests.
    timing: seconds per phase before the parts ran (loading), to which the parts' own are added;
    printed: what the upload's public child printed, as the summary shows it."""
    several = len(done) > 1
    checks: List[CheckResult] = []
    sections: List[Markdown] = []
    mistakes: List[str] = []
    wrong: List[str] = []
    timing = dict(timing)
    per_part: Dict[str, PartScore] = {}
    for part in done:
        found, said, why = _part(part, rubric)
        found, said = section(part.graded.function, found, said) if several else (found, said)
        checks += found
        sections.append(said)
        wrong += [f"{part.graded.function}: {why}" if several else why] if why else []
        per_part[part.graded.function] = _scores(found, part)
        if part.assessment is not None:
            mistakes += part.assessment.mistakes
            # its learning checks' runs, by check key (named after the function when there are several
            # parts); "learning", what the class report draws, is the upload's last: a composite's own
            own = part.assessment.extra
            learned = [c.key for c in part.graded.part.learnings if c.key in own]
            named = {labelled(part.graded.function, key, "")[0] if several else key: own[key] for key in learned}
            extra.update(cast(Extra, {**named, **({"learning": own[learned[-1]]} if learned else {})}))
            for phase, spent in part.assessment.timing.items():
                timing[phase] = timing.get(phase, 0.0) + spent
    extra["hidden"] = hidden_results(checks)
    extra["timing"] = {key: round(value, 4) for key, value in timing.items()}
    extra["wrong"] = "; ".join(wrong)
    if several:
        extra["parts"] = per_part
    unscored = done[0].assessment.unscored if done[0].assessment else ""
    more = course.tests(len(checks) + 1, unscored) if course else []
    if course:
        extra["extra_tests"] = course.extra()
    failed = [test["name"] for test in more if test["status"] == "failed" and test["visibility"] == VISIBLE]
    also = f"\n\nCourse tests failed: {', '.join(text.code(name) for name in failed)}." if failed else ""
    said = Markdown("\n\n".join([*sections, *notes]) + also + printed)
    return results.build(checks, summary=said, mistakes=mistakes, extra=extra, seconds=seconds, more=more)


def _part(part: Done, rubric: Rubric) -> Tuple[List[CheckResult], Markdown, str]:
    """A part's checks, its summary and what is wrong with it as plain text ("" when nothing shown failed)."""
    if part.assessment is None:
        reason = text.escaped(part.error)
        return (*not_run(part.graded.part, part.weights, reason), f"not graded: {text.plain(reason)}")
    catalog = rubric.suspects(part.graded.function)[1] if part.assessment.mistakes else {}
    wrong = text.plain(what_is_wrong(part.assessment, catalog))
    return part.assessment.checks, summary(part.assessment, catalog), wrong


def not_run(part: Part, weights: Dict[str, float], reason: str) -> Tuple[List[CheckResult], Markdown]:
    """Every check of a part at zero, and its summary, when its function could not be called at all
    (reason: the child's words, the import failed or left no such function, already escaped)."""
    found = [CheckResult(k, part.titles[k], w, False, Markdown(f"Not run: {reason}")) for k, w in weights.items()]
    return found, Markdown(f"Not graded: {reason}")


def labelled(function: str, key: str, title: str) -> Tuple[str, str]:
    """A check's key and title in an exercise of several parts: named after its part's function."""
    return f"{function}.{key}", f"{function}: {title}"


def section(function: str, found: Sequence[CheckResult], said: Markdown) -> Tuple[List[CheckResult], Markdown]:
    """One part of several: its checks named after its function, its summary headed by it and its score."""
    named = []
    for check in found:
        key, title = labelled(function, check.key, check.title)
        named.append(dataclasses.replace(check, key=key, title=title))
    score, total = _seen(found)
    return named, Markdown(f"**{text.code(function)}** ({score:g} / {total:g}): {said}")


def _seen(checks: Sequence[CheckResult]) -> Tuple[float, float]:
    shown = [check for check in checks if check.visibility == VISIBLE]
    return sum(check.score for check in shown), sum(check.max_score for check in shown)


def _scores(checks: Sequence[CheckResult], part: Done) -> PartScore:
    """A part's score for the course staff (every test, held back or not), and the mistakes it named."""
    return {
        "score": sum(check.score for check in checks),
        "max_score": sum(check.max_score for check in checks),
        "mistakes": list(part.assessment.mistakes) if part.assessment else [],
    }
