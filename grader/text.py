"""Text as the grader shows it: numbers a student reads, and untrusted text made safe to print."""

from __future__ import annotations

from typing import List, Sequence

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
    control characters are written out (see printable)."""
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
        return data[:budget].decode("utf-8", "ignore") + f"\n… {len(data) - budget} bytes cut …"
    return "\n".join(head + [f"… {cut} lines cut …"] + tail)


def fmt(x: float) -> str:
    """A number as a student should read it: six significant digits."""
    return f"{x:.6g}"


def fmt_array(values: Sequence[float], limit: int = 6) -> str:
    shown = ", ".join(fmt(float(v)) for v in list(values)[:limit])
    return f"[{shown}{', …' if len(values) > limit else ''}]"
