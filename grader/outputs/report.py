"""The class report: OUT/report.md and the PNG plots next to it.

``write_report(out, rows)`` takes the rows that batch.row_of() makes, one per
entry: plain dicts with ``entry``, ``name``, ``email``, ``status`` ("graded",
"not graded", "grader error"), ``score``, ``max_score``, ``tests`` (``name``,
``score``, ``max_score``, ``passed``), ``mistakes`` (catalog IDs), ``seconds``,
``reason`` (why it was not graded) and ``learning`` (the results'
``extra_data["learning"]``: ``{"passed", "summary", "runs": [{"seed", "passed",
"iterations", "env_steps", "returns": [...]}]}``, or None when the learning
check did not run). matplotlib is imported here only, so grading never pays for it.
"""

from __future__ import annotations

import io
import re
import statistics
from pathlib import Path
from typing import Dict, List, Mapping, Optional, Sequence

from grader.outputs.files import write_atomic
from grader.outputs.results import GRADED, GRADER_ERROR, STATUSES
from grader.text import printable

PLOTS = {"overview": "overview.png", "scores": "scores.png", "mistakes": "mistakes.png", "learning": "learning.png"}
SLOWEST = 5
EXAMPLES = 4  # entries named per mistake
_PASS, _FAIL, _BAR = "#2a9d8f", "#e76f51", "#457b9d"


def write_report(out: Path, rows: Sequence[dict], titles: Mapping[str, str] = {}) -> List[Path]:
    """Write report.md and its plots into `out`; return the paths written."""
    out.mkdir(parents=True, exist_ok=True)
    written = _plots(out, rows)
    report = out / "report.md"
    write_atomic(report, markdown(rows, titles))
    return [report, *written]


# --- the numbers ----------------------------------------------------------------------------


def _graded(rows: Sequence[dict]) -> List[dict]:
    return [row for row in rows if row["status"] == GRADED]


def _scored(rows: Sequence[dict]) -> List[dict]:
    """Entries that have a score out of the rubric's total (a grader error has none)."""
    return [row for row in rows if row["status"] != GRADER_ERROR]


def _possible(rows: Sequence[dict]) -> float:
    return max((row["max_score"] for row in _scored(rows)), default=0.0)


def mistake_counts(rows: Sequence[dict]) -> List[tuple]:
    """(mistake ID, entries) ranked by how many entries made it, then by ID."""
    found: Dict[str, List[str]] = {}
    for row in rows:
        for mistake in dict.fromkeys(row["mistakes"]):
            found.setdefault(mistake, []).append(row["entry"])
    return sorted(found.items(), key=lambda item: (-len(item[1]), item[0]))


def pass_rates(rows: Sequence[dict]) -> List[tuple]:
    """(test name, passed, attempted) for every test, in the results' order."""
    order: List[str] = []
    passed: Dict[str, int] = {}
    attempted: Dict[str, int] = {}
    for row in _scored(rows):
        for test in row["tests"]:
            if test["name"] not in attempted:
                order.append(test["name"])
            attempted[test["name"]] = attempted.get(test["name"], 0) + 1
            passed[test["name"]] = passed.get(test["name"], 0) + bool(test["passed"])
    return [(name, passed[name], attempted[name]) for name in order]


def _learning_runs(rows: Sequence[dict]) -> List[tuple]:
    """(entry, run passed, returns) for every CartPole run in the results."""
    runs = []
    for row in rows:
        learning = row.get("learning")
        if not isinstance(learning, dict):
            continue
        for run in learning.get("runs") or []:
            returns = run.get("returns") if isinstance(run, dict) else None
            if isinstance(returns, list) and returns:
                runs.append((row["entry"], bool(run.get("passed")), [float(value) for value in returns]))
    return runs


def _threshold(rows: Sequence[dict]) -> Optional[float]:
    """The learning check's return threshold, as the results recorded it."""
    for row in rows:
        learning = row.get("learning")
        if isinstance(learning, dict) and isinstance(learning.get("threshold"), (int, float)):
            return float(learning["threshold"])
    return None


# --- report.md ------------------------------------------------------------------------------


def _line(text: object, limit: int) -> str:
    """First line, control characters written out, capped."""
    line = str(text).strip().splitlines()[0] if str(text).strip() else ""
    line = printable(line)
    return line if len(line) <= limit else line[: limit - 1] + "…"


def _cell(text: object, limit: int = 120) -> str:
    """One table cell of the grader's own text (test names, mistake titles): no table breaks,
    HTML or links."""
    return _line(text, limit).replace("|", "\\|").replace("<", "&lt;").replace("[", "\\[").replace("]", "\\]")


def _quoted(text: object, limit: int = 120) -> str:
    """One table cell of a student's text (entry names, error messages) as a code span, where
    Markdown makes no link, autolink (`www.…`, `https://…`), HTML or emphasis of anything.
    Its fence is longer than any run of backticks inside; a | must still be escaped in a table."""
    line = _line(text, limit)
    if not line:
        return ""
    fence = "`" * (max((len(run) for run in re.findall("`+", line)), default=0) + 1)
    pad = " " if line[0] in "` " or line[-1] in "` " else ""
    escaped = line.replace("|", "\\|")
    return f"{fence}{pad}{escaped}{pad}{fence}"


def _pct(part: int, whole: int) -> str:
    return f"{100 * part / whole:.0f}%" if whole else "-"


def markdown(rows: Sequence[dict], titles: Mapping[str, str] = {}) -> str:
    """titles: each mistake's one-line title by ID."""
    scored, graded, possible = _scored(rows), _graded(rows), _possible(rows)
    scores = [row["score"] for row in scored]
    full = [row for row in graded if row["max_score"] > 0 and row["score"] == row["max_score"]]
    counts = {status: sum(row["status"] == status for row in rows) for status in STATUSES}
    lines = [
        "# Class report",
        "",
        f"![overview]({PLOTS['overview']})",
        "",
        "## Summary",
        "",
        "| | |",
        "|---|---|",
        f"| entries | {len(rows)} |",
        f"| {' / '.join(STATUSES)} | {' / '.join(str(counts[status]) for status in STATUSES)} |",
        f"| full marks | {len(full)} ({_pct(len(full), len(rows))}) |",
    ]
    if scores:
        lines += [
            f"| mean score | {statistics.mean(scores):.1f} / {possible:g} |",
            f"| median score | {statistics.median(scores):g} / {possible:g} |",
            f"| lowest / highest | {min(scores):g} / {max(scores):g} |",
        ]
    lines += ["", "## Score distribution", "", f"![score histogram]({PLOTS['scores']})", ""]
    lines += _distribution(scores, possible)
    lines += ["", "## Pass rate per test", "", "| test | passed | rate |", "|---|---:|---:|"]
    lines += [
        f"| {_cell(name)} | {passed} / {attempted} | {_pct(passed, attempted)} |"
        for name, passed, attempted in pass_rates(rows)
    ]
    lines += ["", "## Mistakes, most frequent first", ""]
    ranked = mistake_counts(rows)
    if ranked:
        lines += [
            f"![mistake frequencies]({PLOTS['mistakes']})",
            "",
            "| # | mistake | what it is | entries | of graded | e.g. |",
            "|---:|---|---|---:|---:|---|",
        ]
        for rank, (mistake, entries) in enumerate(ranked, start=1):
            examples = ", ".join(_quoted(entry, 40) for entry in entries[:EXAMPLES])
            more = f" +{len(entries) - EXAMPLES}" if len(entries) > EXAMPLES else ""
            lines.append(
                f"| {rank} | `{mistake}` | {_cell(titles.get(mistake, ''))} | {len(entries)} | "
                f"{_pct(len(entries), len(graded))} | {examples}{more} |"
            )
    else:
        lines.append("No known mistake was diagnosed.")
    lines += ["", "## CartPole learning curves", "", f"![learning curves]({PLOTS['learning']})", ""]
    lines += _learning_lines(rows)
    lines += ["", "## Slowest submissions", "", "| entry | seconds | score | status |", "|---|---:|---:|---|"]
    for row in sorted(rows, key=lambda row: -row["seconds"])[:SLOWEST]:
        lines.append(f"| {_quoted(row['entry'], 60)} | {row['seconds']:.1f} | {row['score']:g} | {row['status']} |")
    errored = [row for row in rows if row["status"] != GRADED]
    lines += ["", "## Entries that errored", ""]
    if errored:
        lines += ["| entry | status | why |", "|---|---|---|"]
        lines += [f"| {_quoted(row['entry'], 60)} | {row['status']} | {_quoted(row['reason'])} |" for row in errored]
    else:
        lines.append("None: every entry was graded.")
    seconds = sum(row["seconds"] for row in rows)
    lines += [
        "",
        f"Grading time, summed over entries: {seconds:.0f} s. Per-entry details are in `results/`, "
        "one row per entry in `grades.csv`.",
        "",
    ]
    return "\n".join(lines)


def _bins(possible: float) -> List[float]:
    step = possible / 10 if possible > 0 else 1.0
    return [step * k for k in range(11)]


def _distribution(scores: List[float], possible: float) -> List[str]:
    if not scores:
        return ["No scores."]
    edges = _bins(possible)
    lines = ["| score | entries | |", "|---|---:|---|"]
    for k in range(10):
        low, high = edges[k], edges[k + 1]
        count = sum(low <= score < high or (k == 9 and score == high) for score in scores)
        label = f"{low:g}–{high:g}" if k < 9 else f"{low:g}–{high:g} (incl.)"
        lines.append(f"| {label} | {count} | {'█' * count} |")
    return lines


def _learning_lines(rows: Sequence[dict]) -> List[str]:
    runs = _learning_runs(rows)
    if not runs:
        return ["No learning curves: the results hold no CartPole learning data."]
    with_data = [row for row in rows if isinstance(row.get("learning"), dict)]
    learned = sum(bool(row["learning"].get("passed")) for row in with_data)
    return [
        f"{learned} of {len(with_data)} entries trained CartPole to the threshold on every seed "
        f"({len(runs)} runs drawn; green passed, red did not)."
    ]


# --- plots ----------------------------------------------------------------------------------


def _plots(out: Path, rows: Sequence[dict]) -> List[Path]:
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot

    drawers = {"scores": _draw_scores, "mistakes": _draw_mistakes, "learning": _draw_learning}
    written = []
    for key, draw in drawers.items():
        figure, axes = pyplot.subplots(figsize=(7, 4.2))
        draw(axes, rows)
        written.append(_save(figure, out / PLOTS[key]))
    figure, panels = pyplot.subplots(1, 3, figsize=(18, 5))
    for axes, draw in zip(panels, drawers.values()):
        draw(axes, rows)
    figure.suptitle(_headline(rows), fontsize=13)
    written.append(_save(figure, out / PLOTS["overview"]))
    return written


def _save(figure, path: Path) -> Path:
    figure.tight_layout()
    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=110)
    write_atomic(path, image.getvalue())
    from matplotlib import pyplot

    pyplot.close(figure)
    return path


def _headline(rows: Sequence[dict]) -> str:
    scored = _scored(rows)
    if not scored:
        return f"{len(rows)} entries"
    mean = statistics.mean(row["score"] for row in scored)
    return f"{len(rows)} entries · mean {mean:.1f} / {_possible(rows):g} · {len(rows) - len(_graded(rows))} not graded or errored"


def _empty(axes, title: str, text: str) -> None:
    axes.set_title(title)
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="gray")
    axes.set_xticks([])
    axes.set_yticks([])


def _draw_scores(axes, rows: Sequence[dict]) -> None:
    scored, possible = _scored(rows), _possible(rows)
    if not scored:
        return _empty(axes, "Scores", "no scores")
    full = [row["score"] for row in scored if row["score"] == row["max_score"] and row["max_score"] > 0]
    partial = [row["score"] for row in scored if not (row["score"] == row["max_score"] and row["max_score"] > 0)]
    axes.hist(
        [partial, full],
        bins=_bins(possible),
        stacked=True,
        color=[_FAIL, _PASS],
        label=["below full marks", "full marks"],
        edgecolor="white",
    )
    axes.set_xlim(0, possible or 1)
    axes.set_xlabel(f"score (out of {possible:g})")
    axes.set_ylabel("entries")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"Scores ({len(scored)} entries)")
    axes.legend(loc="upper center", frameon=False)


def _draw_mistakes(axes, rows: Sequence[dict]) -> None:
    ranked = mistake_counts(rows)[:15]
    if not ranked:
        return _empty(axes, "Mistakes", "no mistake diagnosed")
    names = [mistake for mistake, _ in ranked][::-1]
    counts = [len(entries) for _, entries in ranked][::-1]
    axes.barh(names, counts, color=_BAR)
    for y, count in enumerate(counts):
        axes.text(count, y, f" {count}", va="center", fontsize=9)
    axes.set_xlabel("entries")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(0, max(counts) * 1.15)
    axes.set_title("Diagnosed mistakes")


def _draw_learning(axes, rows: Sequence[dict]) -> None:
    runs = _learning_runs(rows)
    if not runs:
        return _empty(axes, "CartPole learning curves", "no learning data in these results")
    for _, passed, returns in runs:
        axes.plot(range(1, len(returns) + 1), returns, color=_PASS if passed else _FAIL, alpha=0.45, linewidth=1.2)
    threshold = _threshold(rows)
    if threshold is not None:
        axes.axhline(threshold, color="black", linestyle="--", linewidth=1)
        axes.text(1, threshold, f" threshold {threshold:g}", va="bottom", fontsize=9)
    axes.plot([], [], color=_PASS, label="passed")
    axes.plot([], [], color=_FAIL, label="did not pass")
    axes.set_xlabel("iteration")
    axes.set_ylabel("mean episode return")
    axes.set_title(f"CartPole-v1 learning curves ({len(runs)} runs)")
    axes.legend(loc="upper left", frameon=False)
