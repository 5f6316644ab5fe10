"""The class report's plots, as PNG bytes: score histogram, mistake frequencies and the
learning curves (coloured by mistake), each shown once, in its section of the report.

Every plot is drawn at 100 dpi no wider than 960 pixels, with 11-point text (15 px): shown
at its natural size in report.html (1000 px wide) or on a code host's page, nothing is
shrunk below reading size. matplotlib is imported here only, so grading never pays for it.
"""

from __future__ import annotations

import io
from typing import Dict, List, Mapping, Sequence

from grader.outputs import stats
from grader.outputs.table import Row

FILES = {"scores": "scores.png", "mistakes": "mistakes.png", "learning": "learning.png"}
DPI = 100
WIDTH_IN = 9.6  # the widest plot: 960 px
FONT_PT = 11
MISTAKES_DRAWN = 30  # beyond, the chart's title says how many it leaves to the table
GROUPS_DRAWN = 9  # learning-curve colours; the rarest groups beyond share "other"
_PASS, _FAIL, _BAR, _OTHER = "#2a9d8f", "#e76f51", "#457b9d", "#999999"
_STYLE = {"font.size": FONT_PT, "figure.dpi": DPI}
_PALETTE = ["#e76f51", "#457b9d", "#f4a261", "#8e5ea2", "#e9c46a", "#264653", "#d62728", "#8c564b", "#e377c2"]


def preload() -> None:
    """Import matplotlib (half a second): a batch does it in a thread while its workers grade."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib import pyplot  # noqa: F401


def draw(rows: Sequence[Row]) -> Dict[str, bytes]:
    """Every plot's PNG, by file name."""
    from matplotlib import pyplot

    preload()
    drawn: Dict[str, bytes] = {}
    with pyplot.rc_context(_STYLE):
        for key, draw_one, size in (
            ("scores", _draw_scores, (7.5, 4.2)),
            ("mistakes", _draw_mistakes, (7.5, 1.6 + 0.32 * max(3, len(stats.mistake_counts(rows)[:MISTAKES_DRAWN])))),
            ("learning", _draw_learning, (WIDTH_IN, 4.8)),
        ):
            figure, axes = pyplot.subplots(figsize=size, layout="constrained")
            draw_one(axes, rows)
            drawn[FILES[key]] = _png(figure)
    return drawn


def _png(figure) -> bytes:
    from matplotlib import pyplot

    image = io.BytesIO()
    figure.savefig(image, format="png", dpi=DPI)
    pyplot.close(figure)
    return image.getvalue()


def _empty(axes, title: str, text: str) -> None:
    axes.set_title(title)
    axes.text(0.5, 0.5, text, ha="center", va="center", transform=axes.transAxes, color="gray")
    axes.set_xticks([])
    axes.set_yticks([])


def _draw_scores(axes, rows: Sequence[Row]) -> None:
    scored, top = stats.scored(rows), stats.possible(rows)
    if not scored:
        return _empty(axes, "Scores", "no scores")
    full = [row["score"] for row in scored if stats.full_marks(row)]
    partial = [row["score"] for row in scored if not stats.full_marks(row)]
    axes.hist(
        [partial, full],
        bins=stats.bins(top),
        stacked=True,
        color=[_FAIL, _PASS],
        label=["below full marks", "full marks"],
        edgecolor="white",
    )
    axes.set_xlim(0, top or 1)
    axes.set_xlabel(f"score (out of {top:g})")
    axes.set_ylabel("entries")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title(f"Scores ({len(scored)} entries)")
    axes.set_ylim(0, axes.get_ylim()[1] * 1.4)  # room for the legend above the bars
    axes.legend(loc="upper center", frameon=False)


def _draw_mistakes(axes, rows: Sequence[Row]) -> None:
    every = stats.mistake_counts(rows)
    ranked = every[:MISTAKES_DRAWN]
    if not ranked:
        return _empty(axes, "Mistakes", "no mistake diagnosed")
    names = [mistake for mistake, _ in ranked][::-1]
    counts = [len(entries) for _, entries in ranked][::-1]
    axes.barh(names, counts, color=_BAR)
    for y, count in enumerate(counts):
        axes.text(count, y, f" {count}", va="center")
    axes.set_xlabel("entries")
    axes.xaxis.get_major_locator().set_params(integer=True)
    axes.set_xlim(0, max(counts) * 1.2)
    cut = f" (the {len(ranked)} most frequent of {len(every)}; the table lists all)" if len(every) > len(ranked) else ""
    axes.set_title(f"Diagnosed mistakes{cut}")


def _colours(runs: Sequence[stats.Run]) -> Dict[str, str]:
    """A colour per group of entries, the most common first; NO_MISTAKE is always green."""
    entries: Dict[str, set] = {}
    for run in runs:
        entries.setdefault(run.group, set()).add(run.entry)
    ranked = sorted((group for group in entries if group != stats.NO_MISTAKE), key=lambda g: (-len(entries[g]), g))
    colours = {group: _PALETTE[k] if k < GROUPS_DRAWN else _OTHER for k, group in enumerate(ranked)}
    colours[stats.NO_MISTAKE] = _PASS
    return colours


def _draw_learning(axes, rows: Sequence[Row]) -> None:
    runs = stats.learning_runs(rows)
    if not runs:
        return _empty(axes, "Learning curves", "no learning data in these results")
    colours = _colours(runs)
    for run in runs:  # solid: reached the threshold; dashed: did not
        style = "-" if run.passed else "--"
        axes.plot(range(1, len(run.returns) + 1), run.returns, style, color=colours[run.group], alpha=0.7, lw=1.4)
    top = stats.threshold(rows)
    if top is not None:
        axes.axhline(top, color="black", linestyle=":", linewidth=1)
        axes.text(1, top, f" threshold {top:g}", va="bottom")
    axes.set_xlabel("iteration")
    axes.set_ylabel("mean episode return")
    axes.set_title(f"{stats.curves_title(rows)} ({len(runs)} runs)")
    axes.legend(handles=_legend(runs, colours), loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)


def _legend(runs: Sequence[stats.Run], colours: Dict[str, str]) -> List:
    from matplotlib.lines import Line2D

    entries: Dict[str, set] = {}
    for run in runs:
        entries.setdefault(colours[run.group] if colours[run.group] == _OTHER else run.group, set()).add(run.entry)
    handles = [
        Line2D([], [], color="black", lw=1.4, label="reached the threshold"),
        Line2D([], [], color="black", lw=1.4, linestyle="--", label="did not"),
    ]
    for group in sorted(entries, key=lambda g: (g != stats.NO_MISTAKE, g == _OTHER, -len(entries[g]), g)):
        label = "other mistakes" if group == _OTHER else group
        colour = _OTHER if group == _OTHER else colours[group]
        count = len(entries[group])
        handles.append(Line2D([], [], color=colour, lw=2, label=f"{label} ({count} entr{'ies' if count > 1 else 'y'})"))
    return handles


def own_curves(
    mine: Mapping[int, Sequence[float]], reference: Mapping[int, Sequence[float]], threshold: float, title: str
) -> bytes:
    """A student's learning curves (solid) beside the reference's on the same seeds (dotted), one
    colour a seed: selfcheck.py --learn. Drawn on a Figure of its own, not through pyplot, so that
    a notebook's own plots keep their backend."""
    import matplotlib
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(7.5, 4.2), layout="constrained")
        axes = figure.subplots()
        handles = []
        for k, seed in enumerate(sorted({*reference, *mine})):
            colour = _PALETTE[k % len(_PALETTE)]
            for curve, style in ((reference.get(seed, ()), ":"), (mine.get(seed, ()), "-")):
                axes.plot(range(1, len(curve) + 1), curve, style, color=colour, lw=1.8)
            handles.append(Line2D([], [], color=colour, lw=2, label=f"seed {seed}"))
        handles += [
            Line2D([], [], color="black", lw=1.8, label="your loss"),
            Line2D([], [], color="black", lw=1.8, linestyle=":", label="reference"),
        ]
        axes.axhline(threshold, color="black", linestyle="--", linewidth=1)
        axes.text(1, threshold, f" threshold {threshold:g}", va="bottom")
        axes.set_xlabel("iteration")
        axes.set_ylabel("mean episode return")
        axes.set_title(title)
        axes.legend(handles=handles, loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False)
        image = io.BytesIO()
        figure.savefig(image, format="png", dpi=DPI)
        return image.getvalue()
