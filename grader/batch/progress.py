"""The batch's progress: a tqdm bar on a terminal, one plain line per entry otherwise (logs, CI, `make`).

The bar is redrawn every second while entries are being graded (tick), so its elapsed
time keeps counting and it names an entry that has been running for a while; in plain
lines, an entry still running after STILL_S gets a line saying so, then every STILL_S.
"""

from __future__ import annotations

import os
import sys
import time
from typing import Optional, Sequence, Tuple

from grader.outputs import results
from grader.outputs.results import Results
from grader.outputs.table import score_text, status_of
from grader.text import printable

TICK_S = 1.0  # how often the bar is redrawn while nothing finishes
SLOW_S = 5.0  # an entry running this long is named on the bar
STILL_S = 30.0  # plain lines: how long without news before "still grading"


class Progress:
    def __init__(self, total: int, stream=sys.stderr):
        self.total, self.count, self.stream, self.bar = total, 0, stream, None
        self.last_drawn = self.last_line = time.monotonic()
        if total and stream.isatty() and _columns(stream) >= 40:  # a 0-column pty gets plain lines
            from tqdm import tqdm

            tqdm.monitor_interval = 0  # no monitor thread: workers are forked from this process
            self.bar = tqdm(total=total, unit="entry", file=stream, dynamic_ncols=True)

    def update(self, label: str, document: Results, seconds: float) -> None:
        """One entry is done."""
        self.count += 1
        status = status_of(document)
        text = f"{printable(label, lines=False)} {score_text(document)}" + (
            "" if status == results.GRADED else f" {status}"
        )
        if self.bar is not None:
            self.bar.set_postfix_str(text[-40:], refresh=False)
            self.bar.update()
            self.last_drawn = time.monotonic()
        else:
            print(f"[{self.count}/{self.total}] {text} ({seconds:.1f} s)", file=self.stream, flush=True)
            self.last_line = time.monotonic()

    def tick(self, running: Sequence[Tuple[str, float]]) -> None:
        """Called often while grading: `running` is (entry label, seconds so far) of every entry
        being graded. Redraws the bar once a second; in plain lines, says what is still running."""
        now = time.monotonic()
        slowest = max(running, key=lambda item: item[1], default=None)
        if self.bar is not None:
            if now - self.last_drawn < TICK_S:
                return
            if slowest is not None and slowest[1] >= SLOW_S:
                self.bar.set_postfix_str(
                    f"grading {printable(slowest[0], lines=False)[-30:]} for {slowest[1]:.0f} s", refresh=False
                )
            self.bar.refresh()
            self.last_drawn = now
        elif slowest is not None and slowest[1] >= STILL_S and now - self.last_line >= STILL_S:
            labels = printable(", ".join(label for label, seconds in running if seconds >= STILL_S), lines=False)
            print(f"  … still grading {labels} ({slowest[1]:.0f} s)", file=self.stream, flush=True)
            self.last_line = now

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


def _columns(stream) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return 0


def running_labels(jobs: Optional[Sequence[Tuple[object, float]]]) -> Sequence[Tuple[str, float]]:
    """(label, seconds) from the pool's (job, seconds): an entry's label, or the job as text."""
    return [(str(getattr(job, "label", job)), seconds) for job, seconds in jobs or ()]
