"""Text as the grader shows it: numbers a student reads, and untrusted text made safe to print."""

from __future__ import annotations

import re
from typing import List, Optional, Sequence, Tuple

# What printable writes out, never shows raw: control characters but newline and tab (a
# submission's output or error text must not move a TA's cursor, recolour or clear their terminal;
# ANSI escapes start with ESC in C0 or CSI U+009B in C1), lone surrogates (not writable as UTF-8),
# and every invisible or direction-changing character (Unicode's Cf, Zl and Zp, the Hangul fillers,
# the combining grapheme joiner), with which a name can display as something it is not.
_HIDDEN = re.compile(
    "[\x00-\x08\x0b-\x1f\x7f-\x9f\u00ad\u034f\u061c\u0600-\u0605\u06dd\u070f\u0890\u0891\u08e2"
    "\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u2028-\u202e\u2060-\u206f\u3164"
    "\ud800-\udfff\ufeff\uffa0\ufff9-\ufffb\U000110bd\U000110cd\U00013430-\U0001343f"
    "\U0001bca0-\U0001bca3\U0001d173-\U0001d17a\U000e0000-\U000e007f]"
)


def _shown(found: re.Match) -> str:
    c = ord(found.group())
    if c < 0x100:
        return f"\\x{c:02x}"
    if 0xDC80 <= c <= 0xDCFF:  # an undecodable byte of a file name (Python's surrogateescape)
        return f"\\x{c - 0xDC00:02x}"
    return f"\\u{c:04x}" if c < 0x10000 else f"\\U{c:08x}"


def printable(text: str, *, lines: bool = True) -> str:
    """Text with control, invisible and direction characters and lone surrogates written out as
    \\xNN, \\uNNNN or \\UNNNNNNNN: it shows as what it holds, and can always be written as UTF-8.
    Every writer (Markdown, HTML, terminal, CSV, JSON) passes untrusted text through here. lines:
    whether newline and tab stay as they are; a name or a progress line keeps to one line."""
    shown = _HIDDEN.sub(_shown, text)
    return shown if lines else shown.replace("\t", "\\x09").replace("\n", "\\x0a")


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
        kept = _span_closed(data[:budget].decode("utf-8", "ignore"))
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


def _span_closed(kept: str) -> str:
    """A line cut short, with the code span the cut ran through closed: what was in it (a file
    name, an error message) stays code, and never reads as Markdown or HTML."""
    opened = ""
    for run in re.findall(r"`+", kept):
        opened = "" if run == opened else opened or run
    return f"{kept} {opened}" if opened else kept


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


class Markdown(str):
    """Markdown that the grader wrote: its own words, with every string from a submission, an
    upload's file names or an export's metadata put in by escaped, code or fenced. The builders of
    results.json, the feedback files and the report take only this type (mypy checks it): a plain
    str cannot reach them without being declared markup by a call Markdown(...), made only on the
    grader's own words and on what these writers made."""


# A code span as CommonMark finds it: a run of backticks closed by the next run of the same length.
_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.*?)(?<!`)\1(?!`)", re.DOTALL)
# What makes markup anywhere in a line: a run of backticks (in prose, an unpaired one), a run of _
# (none inside a word, which CommonMark reads as text: policy_utils stays as written), \ * < > & | ~
# $, and a ] before ( [ or : (without which a [ opens no link, image or reference). At a line's
# start: a heading, list item, setext underline or an ordered item's number.
_MARKUP = re.compile(r"(`+)|(_+)|[\\*<>&|~$]|\](?=[(\[:])")
_LINE_START = re.compile(r"^([ \t]*(?:\d{1,9}(?=[.)]))?)([#+=.)-])", re.MULTILINE)
_INDENT = re.compile(r"(?<=\n)[ \t]")  # a space or tab that starts a line
_LINE_INDENT = re.compile(r"(?:^|(?<=\n))[ \t]")  # the same, or starts the text


def code_spans(markdown: str) -> List[Tuple[int, int]]:
    """Where the code spans of a line of Markdown start and end (CommonMark's pairing of backtick
    runs; backslash escapes aside, which the grader's lines put before no backtick)."""
    return [span.span() for span in _SPAN.finditer(markdown)]


def escaped(untrusted: str) -> Markdown:
    """Untrusted text in Markdown prose: it shows as the very text, never as a heading, list, link,
    image, HTML, emphasis or math; its `backtick-quoted` parts (as the grader's own messages quote
    names) show as code, and any other run of backticks, with what it encloses, as a code span of
    itself: each backtick a student wrote is seen."""
    text = printable(untrusted)
    parts: List[str] = []
    at = 0
    for span in _SPAN.finditer(text):
        quoted = span.group(1) == "`" and span.group(2).strip(" ") == span.group(2) and span.group(2)
        parts += [_prose(text[at : span.start()], at == 0), code(span.group(2) if quoted else span.group())]
        at = span.end()
    return Markdown("".join(parts + [_prose(text[at:], at == 0)]))


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])|&#(9|32);")  # _prose's escapes and references


def plain(markdown: str) -> str:
    """The grader's Markdown as one line of text, for a table cell or a CSV: escapes undone outside
    code spans (where a backslash is itself), its code spans' backticks kept, as they name code."""
    parts: List[str] = []
    at = 0
    for start, end in [*code_spans(markdown), (len(markdown), len(markdown))]:
        parts += [_ESCAPED.sub(lambda found: found.group(1) or chr(int(found.group(2))), markdown[at:start])]
        parts += [markdown[start:end]]
        at = end
    return " ".join("".join(parts).split())


def unbolded(markdown: str) -> str:
    """The grader's Markdown for a terminal: its bold marks (**) taken out, its code spans and
    fenced blocks as written (`gamma ** t` keeps its power)."""
    parts: List[str] = []
    at = 0
    for start, end in [*code_spans(markdown), (len(markdown), len(markdown))]:
        parts += [markdown[at:start].replace("**", ""), markdown[start:end]]
        at = end
    return "".join(parts)


def _prose(text: str, first: bool) -> str:
    """Text with no code span in it, escaped; each line as if it started one (an escape that was
    not needed shows nothing). first: the text starts where the untrusted text does, which may be
    a line's start."""
    text = _LINE_START.sub(r"\1\\\2", _MARKUP.sub(_escape, text))
    # Four columns of indentation would start a code block, where escapes show: the first space or
    # tab of a line becomes its character reference, which is text.
    return (_LINE_INDENT if first else _INDENT).sub(lambda found: f"&#{ord(found.group())};", text)


def _escape(found: re.Match) -> str:
    markup, text = found.group(), found.string
    if found.group(1):  # an unpaired run of backticks
        return code(markup)
    before, after = text[found.start() - 1 : found.start()], text[found.end() : found.end() + 1]
    if found.group(2) and before.isalnum() and after.isalnum():
        return markup
    return "".join("\\" + char for char in markup)


def code(untrusted: str) -> Markdown:
    """Untrusted text as one Markdown inline code span, whatever backticks it holds (CommonMark: the
    span's delimiter is a run of backticks of a length that does not occur inside it); its lines
    joined by spaces."""
    text = " ".join(printable(untrusted).splitlines()) or " "
    runs = {len(run) for run in re.findall(r"`+", text)}
    ticks = "`" * next(n for n in range(1, len(runs) + 2) if n not in runs)
    # CommonMark strips one space from each end when both have one (and the span is not all spaces).
    spaced = text.startswith(" ") and text.endswith(" ") and bool(text.strip(" "))
    pad = " " if text.startswith("`") or text.endswith("`") or spaced else ""
    return Markdown(f"{ticks}{pad}{text}{pad}{ticks}")


def fenced(untrusted: str) -> Markdown:
    """Untrusted text as a fenced code block that no line of it can close: its fence is longer
    than any run of backticks inside. It must start a line of its own."""
    text = printable(untrusted)
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markdown(f"{fence}\n{text.rstrip()}\n{fence}")
