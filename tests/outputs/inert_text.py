"""Whether student text stayed text: in Markdown as a permissive viewer renders it (raw HTML on),
in an HTML page, in a terminal, in a spreadsheet (issue 27).

Each check returns one line per problem, naming the offending element, so that a failing
test says where and what. `visible` is the form a payload must be shown in: control
characters as \\xNN (as grader.text.printable writes them) and invisible or direction
characters as \\uNNNN, compared without regard to case.
"""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Dict, Iterable, List, Sequence, Set, Tuple

from markdown_it import MarkdownIt

_PERMISSIVE = MarkdownIt("commonmark", {"html": True}).enable("table")
CONTROLS = {*range(0, 9), *range(11, 32), *range(127, 160)}  # C0 but newline and tab, DEL, C1
INVISIBLE = {*range(0x200B, 0x2010), *range(0x202A, 0x202F), *range(0x2066, 0x206A), 0xFEFF, 0x2028, 0x2029}
_WRITTEN_OUT = {**{c: f"\\x{c:02x}" for c in CONTROLS}, **{c: f"\\u{c:04x}" for c in INVISIBLE}}
_SHOWN = {"text", "code_inline", "fence", "code_block"}


def visible(text: str) -> str:
    """text as it must be shown: control and invisible characters written out."""
    return text.translate(_WRITTEN_OUT)


def raw_characters(text: str, controls: bool = True) -> List[str]:
    """Invisible or direction characters, and control characters unless `controls` is False,
    left raw: each character once, with how often and where it first occurs."""
    wanted = INVISIBLE | CONTROLS if controls else INVISIBLE
    first: Dict[str, int] = {}
    for at, char in enumerate(text):
        if ord(char) in wanted:
            first.setdefault(char, at)
    near = {char: repr(text[max(0, at - 20) : at + 20]) for char, at in first.items()}
    return [f"raw U+{ord(char):04X} (x{text.count(char)}) in {near[char]}" for char in first]


def _tokens(markdown: str) -> Iterable:
    for token in _PERMISSIVE.parse(markdown):
        yield token
        yield from token.children or []


def markdown_problems(markdown: str, urls: Set[str], emphasized: Set[str], headings: Set[str]) -> List[str]:
    """Elements a payload made: raw HTML, a link or image to a URL not in `urls` (the grader's
    own), emphasis of a word in `emphasized`, a heading holding a text in `headings`."""
    found: List[str] = []
    tokens = list(_tokens(markdown))
    for token, after in zip(tokens, tokens[1:]):
        if token.type in ("html_inline", "html_block"):
            found.append(f"raw HTML {token.content.strip()!r}")
        elif (
            token.type in ("link_open", "image")
            and token.attrGet("href" if token.type == "link_open" else "src") not in urls
        ):
            found.append(f"a {'link' if token.type == 'link_open' else 'image'} to {token.attrs!r}")
        elif token.type in ("em_open", "strong_open") and after.content in emphasized:
            found.append(f"emphasis of {after.content!r}")
        elif token.type == "heading_open" and any(text in after.content for text in headings):
            found.append(f"a heading {after.content!r}")
    return found


def urls(markdown: str) -> Set[str]:
    """The targets of the links in markdown."""
    return {str(token.attrGet("href")) for token in _tokens(markdown) if token.type == "link_open"}


def shown_text(markdown: str) -> str:
    """What a reader sees of markdown as text and code: each block's text on lines of its own, the
    text and code spans of one paragraph run together as they are read."""
    blocks = []
    for token in _PERMISSIVE.parse(markdown):
        if token.type in _SHOWN:
            blocks.append(token.content)
        elif token.children:
            inline = (c.content if c.type in _SHOWN else "\n" if "break" in c.type else "" for c in token.children)
            blocks.append("".join(inline))
    return "\n".join(blocks)


def not_shown(markdown: Sequence[str], planted: Iterable[str]) -> List[str]:
    """Each planted text that none of the Markdown texts shows as text, in its visible form."""
    seen = "\n".join(shown_text(text) for text in markdown).lower()
    return [f"{text!r} not shown as text" for text in planted if visible(text).lower() not in seen]


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: List[Tuple[str, List[Tuple[str, str]]]] = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, [(name, value or "") for name, value in attrs]))


def html_problems(page: str, links: Set[str] = frozenset()) -> List[str]:
    """Elements of a payload in an HTML page: a script but the report's own, an event handler, a
    link not in `links` (the batch's own files), an image that is not an embedded plot."""
    from grader.outputs.report_html import SCRIPT

    parser = _Elements()
    parser.feed(page)
    found = []
    own_script = page.count("<script") == 1 and f"<script>{SCRIPT}</script>" in page
    for tag, attrs in parser.found:
        handlers = [name for name, _ in attrs if name.startswith("on")]
        src = dict(attrs).get("src", "")
        if tag == "script" and not attrs and own_script:
            continue
        if tag == "a" and len(attrs) == 1 and attrs[0][0] == "href" and attrs[0][1] in links:
            continue
        if tag in ("script", "iframe", "object", "embed", "a") or handlers:
            found.append(f"<{tag}> {attrs!r}")
        elif tag == "img" and not src.startswith("data:image/png;base64,"):
            found.append(f"<img> {attrs!r}")
    return found
