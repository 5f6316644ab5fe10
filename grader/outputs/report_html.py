"""OUT/report.html: report.md rendered to one self-contained page.

The Markdown is rendered by markdown-it-py (CommonMark plus tables) with raw HTML
off, so whatever a student put in a file name or an error message stays text: the
report quotes it in code spans, and HTML in it is escaped. The plots are embedded as
data: URIs with their natural size, and the page loads nothing else; its Content
Security Policy allows one script, the page's own (by its hash), and no outside image,
style or font, so a mailed copy shows the same as the original. That script makes the
students' table sortable (click a heading) and filterable (a search box); it reads and
moves the table's cells, and never makes markup from their text.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_text
import struct
from typing import Mapping, Tuple

from grader.text import Markdown

SCRIPT = """
(() => {
  const heading = [...document.querySelectorAll("h2")].find(h => h.textContent === "Students");
  let table = heading && heading.nextElementSibling;
  while (table && table.tagName !== "TABLE" && table.tagName !== "H2") table = table.nextElementSibling;
  if (!table || table.tagName !== "TABLE") return;
  const body = table.tBodies[0], rows = [...body.rows];
  const search = document.createElement("input");
  search.type = "search";
  search.placeholder = "Filter students: name, SID, email, entry, status…";
  search.setAttribute("aria-label", "Filter the students");
  table.before(search);
  search.addEventListener("input", () => {
    const words = search.value.toLowerCase().split(/\\s+/).filter(Boolean);
    for (const row of rows) {
      const text = row.textContent.toLowerCase();
      row.hidden = !words.every(word => text.includes(word));
    }
  });
  const number = text => {
    const found = text.trim().match(/^-?\\d+(\\.\\d+)?/);
    return found ? parseFloat(found[0]) : null;
  };
  [...table.tHead.rows[0].cells].forEach((cell, column) => {
    cell.tabIndex = 0;
    cell.title = "Sort by " + cell.textContent;
    const sort = () => {
      const up = cell.getAttribute("aria-sort") !== "ascending";
      for (const other of table.tHead.rows[0].cells) other.removeAttribute("aria-sort");
      cell.setAttribute("aria-sort", up ? "ascending" : "descending");
      const key = row => row.cells[column].textContent;
      rows.sort((a, b) => {
        const x = number(key(a)), y = number(key(b));
        const order = x !== null && y !== null ? x - y : x !== null ? -1 : y !== null ? 1
          : key(a).localeCompare(key(b));
        return up ? order : -order;
      });
      body.append(...rows);
    };
    cell.addEventListener("click", sort);
    cell.addEventListener("keydown", event => { if (event.key === "Enter") sort(); });
  });
})();
"""
POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; "
    f"script-src 'sha256-{base64.b64encode(hashlib.sha256(SCRIPT.encode()).digest()).decode()}'"
)
STYLE = """
body { margin: 0; background: #fff; color: #1d2329;
       font: 15px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { box-sizing: border-box; max-width: 1000px; margin: 0 auto; padding: 12px 20px 40px; }
h1 { font-size: 26px; margin: 8px 0 2px; }
h1 + p { margin-top: 0; color: #4a5560; font-size: 14px; }
h2 { font-size: 20px; margin: 30px 0 8px; padding-bottom: 3px; border-bottom: 1px solid #d8dde3; }
img { display: block; max-width: 100%; height: auto; margin: 8px 0; }
/* A table as wide as its words need, scrolling sideways on its own if the page is narrower:
   words are never cut ("grade / d"); only a single word wider than the page wraps. */
table { display: block; width: max-content; max-width: 100%; overflow-x: auto;
        border-collapse: collapse; margin: 8px 0; font-size: 14px; }
th, td { border: 1px solid #d8dde3; padding: 3px 8px; vertical-align: top; overflow-wrap: break-word; }
th[style*="right"], td[style*="right"] { white-space: nowrap; }  /* numbers */
th[aria-sort="ascending"]::after { content: " ▲"; }
th[aria-sort="descending"]::after { content: " ▼"; }
thead th { cursor: pointer; }
input[type="search"] { box-sizing: border-box; width: 100%; margin: 6px 0 2px; padding: 5px 8px; font: inherit; }
a code { color: #0b5cad; }
th { background: #f1f3f5; text-align: left; }
thead:not(:has(th:not(:empty))) { display: none; }  /* the summary's header row, empty in Markdown */
tbody tr:nth-child(even) td { background: #f8f9fa; }
code { font: 13px "DejaVu Sans Mono", Menlo, Consolas, monospace; background: #f1f3f5;
       padding: 0 3px; border-radius: 3px; }
"""


def html(markdown: Markdown, images: Mapping[str, bytes], title: str = "Class report") -> str:
    """The page for `markdown`, whose images named in `images` (file name -> PNG bytes) are
    embedded; an image not in `images` is dropped rather than linked."""
    from markdown_it import MarkdownIt

    renderer = MarkdownIt("commonmark", {"html": False}).enable("table")
    tokens = renderer.parse(markdown)
    for token in tokens:
        for child in token.children or []:
            if child.type != "image":
                continue
            data = images.get(str(child.attrGet("src")))
            if data is None:
                child.type, child.tag, child.attrs, child.children = "text", "", {}, None
                child.content = ""
                continue
            width, height = png_size(data)
            child.attrSet("src", "data:image/png;base64," + base64.b64encode(data).decode("ascii"))
            child.attrSet("width", str(width))
            child.attrSet("height", str(height))
    body = renderer.renderer.render(tokens, renderer.options, {})
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{html_text.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n"
        f"<body>\n<main>\n{body}</main>\n<script>{SCRIPT}</script>\n</body>\n</html>\n"
    )


def png_size(data: bytes) -> Tuple[int, int]:
    """Width and height from a PNG's header."""
    if data[:8] != b"\x89PNG\r\n\x1a\n" or data[12:16] != b"IHDR":
        raise ValueError("not a PNG")
    width, height = struct.unpack(">II", data[16:24])
    return width, height
