"""Text as the grader shows it: numbers a student reads, and untrusted text made safe to print."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

# Control characters but newline and tab: a submission's output or error text must not be
# able to move a TA's cursor, recolour or clear their terminal. ANSI escapes start with ESC
# (C0) or, in C1, with CSI U+009B alone, which terminals honour too.
_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0, 9), *range(11, 32), *range(127, 160)]}
# A lone surrogate cannot be written as UTF-8 at all: U+DC80-U+DCFF is an undecodable byte of a
# file name (Python's surrogateescape), written out as that byte; any other, as its code point.
_CONTROL.update({c: f"\\x{c - 0xDC00:02x}" if 0xDC80 <= c <= 0xDCFF else f"\\u{c:04x}" for c in range(0xD800, 0xE000)})


def printable(text: str) -> str:
    """Text with control characters (C0, DEL, C1) and lone surrogates written out as \\xNN or
    \\uNNNN, so it prints as what it is and can always be written as UTF-8."""
    return text.translate(_CONTROL)


def cap_text(text: str, limit: int) -> str:
    """Keep the first and last lines of text longer than limit bytes, saying how much was cut;
    control characters are written out (see printable). A fenced code block the cut runs through
    is closed and reopened around the note, so the rest still renders as it would have."""
    text = printable(text)
    data = text.encode()
    if len(data) <= limit:
        return text
    lines = text.splitlines()
    head: List[str] = []
    tail: List[str] = []
    budget = limit // 2
    for line in lines:
        if len("\n".join(head + [line]).encode()) > budget:
            break
        head.append(line)
    for line in reversed(lines[len(head) :]):
        if len("\n".join([line] + tail).encode()) > budget:
            break
        tail.insert(0, line)
    cut = len(lines) - len(head) - len(tail)
    if not head and not tail:  # one enormous line
        kept = data[:budget].decode("utf-8", "ignore")
        return "\n".join([kept, f"… {len(data) - budget} bytes cut …", *_fences_between(kept, "")])
    resumed = "\n".join(lines[: len(lines) - len(tail)]) if tail else ""  # where the tail starts
    return "\n".join([*head, f"… {cut} lines cut …", *_fences_between("\n".join(head), resumed), *tail])


_FENCE = re.compile(r" {0,3}(`{3,}|~{3,})(.*)$")
Fence = Optional[Tuple[str, int]]  # the open fenced block's character and length; None outside one


def open_fence(text: str) -> Fence:
    """Whether text ends inside a fenced code block (CommonMark's rule), and which."""
    open_: Fence = None
    for line in text.splitlines():
        found = _FENCE.match(line)
        if not found:
            continue
        char, length, rest = found.group(1)[0], len(found.group(1)), found.group(2)
        if open_ is None and not (char == "`" and "`" in rest):
            open_ = (char, length)
        elif open_ is not None and char == open_[0] and length >= open_[1] and not rest.strip():
            open_ = None
    return open_


def _fences_between(kept: str, resumed: str) -> List[str]:
    """The fence lines that take the text from the state where kept ends (inside a block or not)
    to the one where the text after the cut resumes: close one, open another."""
    now, then = open_fence(kept), open_fence(resumed)
    if now == then:
        return []
    lines = [] if now is None else [now[0] * now[1]]
    return lines + ([] if then is None else [then[0] * then[1]])


def fmt(x: float) -> str:
    """A number as a student should read it: six significant digits, and 0 never as "-0"."""
    return f"{x + 0.0:.6g}"  # -0.0 + 0.0 is 0.0


def fmt_array(values: Sequence[float], limit: int = 6) -> str:
    shown = ", ".join(fmt(float(v)) for v in list(values)[:limit])
    return f"[{shown}{', …' if len(values) > limit else ''}]"


def code(text: str) -> str:
    """text as one Markdown inline code span, whatever backticks it holds (CommonMark: the span's
    delimiter is a run of backticks of a length that does not occur inside it)."""
    text = " ".join(text.splitlines())
    runs = {len(run) for run in re.findall(r"`+", text)}
    ticks = "`" * next(n for n in range(1, len(runs) + 2) if n not in runs)
    # CommonMark strips one space from each end when both have one (and the span is not all spaces).
    spaced = text.startswith(" ") and text.endswith(" ") and bool(text.strip(" "))
    pad = " " if text.startswith("`") or text.endswith("`") or spaced else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fenced(text: str) -> str:
    """text as a fenced code block that no line of it can close: its fence is longer than any run
    of backticks inside."""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{text.rstrip()}\n{fence}"
