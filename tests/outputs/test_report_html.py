"""report.html in a real browser, and the feedback files, for the class `make grade` grades.

The batch grades examples/ (as `make grade` does) in a fresh interpreter; headless
Chromium (Debian's package; .ci/run installs it) then loads OUT/report.html at 1000 px:
it must have its title, every plot decoded and shown once at (nearly) its natural size, no
horizontal scrolling, no word of a table cut across lines, a students' table that sorts and
filters when clicked and typed in, and make a screenshot 1000 px wide. With UPDATE_SCREENSHOT=1 the
screenshot replaces docs/report-html.png, the picture in the README.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_text
import json
import os
import re
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import batch_row

from grader.course import registry
from grader.outputs.report_html import SCRIPT

ROOT = Path(__file__).resolve().parents[2]
WIDTH = 1000
SCREENSHOT = ROOT / "docs" / "report-html.png"
PLOTS = ("scores.png", "mistakes.png", "learning.png")
# Run in a copy of the page, allowed by its own hash: what the browser made of each image, every word
# of a table cell drawn on more than one line, and the students' table sorted by score both ways and
# filtered by a word, as a TA would click and type.
PROBE = """
window.addEventListener("load", () => {
  const images = [...document.images].map(i => [i.alt, i.naturalWidth, i.naturalHeight, i.width, i.complete]);
  const cut = [];
  for (const cell of document.querySelectorAll("th, td")) {
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode()); ) {
      for (const word of node.data.matchAll(/\\S+/g)) {
        const range = document.createRange();
        range.setStart(node, word.index);
        range.setEnd(node, word.index + word[0].length);
        if (new Set([...range.getClientRects()].map(r => Math.round(r.top))).size > 1) cut.push(word[0]);
      }
    }
  }
  const search = document.querySelector('input[type="search"]');
  const table = search.nextElementSibling, head = table.tHead.rows[0].cells;
  const column = name => [...head].findIndex(cell => cell.textContent.startsWith(name));
  const entries = () => [...table.tBodies[0].rows].filter(r => !r.hidden).map(r => r.cells[column("entry")].textContent);
  head[column("score")].click();
  const ascending = entries();
  head[column("score")].click();
  const descending = entries();
  search.value = "ERIN";
  search.dispatchEvent(new Event("input"));
  const found = entries();
  document.body.dataset.probe = JSON.stringify({
    images, cut, ascending, descending, found, scroll: document.documentElement.scrollWidth
  });
});
"""


FULL_MARKS = {"alice.py", "bob.py", "carol.ipynb"}


def digest(script: str) -> str:
    return base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()


def chromium() -> str:
    found = next(
        (shutil.which(name) for name in ("chromium", "chromium-browser", "google-chrome") if shutil.which(name)), None
    )
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("CI=true but headless Chromium is missing: .ci/run installs Debian's chromium package")
        pytest.skip("headless Chromium is not installed (apt-get install chromium); CI installs and runs it")
    return found


def browse(page: Path, *options: str) -> subprocess.CompletedProcess:
    command = [
        chromium(),
        "--headless",
        "--no-sandbox",  # as root (CI) Chromium refuses its own sandbox; the page is ours
        "--disable-gpu",
        "--hide-scrollbars",
        "--force-device-scale-factor=1",
        f"--window-size={WIDTH},1400",
        "--virtual-time-budget=5000",
        *options,
        page.as_uri(),
    ]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, cwd=page.parent)


@pytest.fixture(scope="module")
def graded_examples(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("examples") / "out"
    command = [sys.executable, "-m", "grader", "batch", "examples", "--out", str(out), "--jobs", "2"]
    others = [name for name in registry.names() if (ROOT / "examples" / name).is_dir()]  # their classes (make grade)
    command += ["--skip", "extra_tests.py", *others]  # and the course tests
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "report.html" in run.stdout and "feedback/" in run.stdout
    return out


@pytest.mark.slow
def test_report_html_is_one_file_and_renders_readably_in_chromium(graded_examples, tmp_path):
    page = graded_examples / "report.html"
    source = page.read_text(encoding="utf-8")
    # Self-contained: one script, the page's own, allowed by its hash; nothing loaded from anywhere
    # but data: URIs; links only to the batch's own feedback files.
    assert source.count("<script") == 1 and f"<script>{SCRIPT}</script>" in source
    assert f"script-src 'sha256-{digest(SCRIPT)}'" in source and "unsafe-inline'" not in source.split("script-src")[1]
    assert re.findall(r'src="(?!data:image/png;base64,)', source) == []
    assert set(re.findall(r'href="([^/"]*)/', source)) == {"feedback"}
    assert source.count('src="data:image/png;base64,') == len(PLOTS)
    assert "Content-Security-Policy" in source and "default-src 'none'" in source
    # The same content as report.md, what needs a human first, and the header a head TA asks for.
    markdown = (graded_examples / "report.md").read_text(encoding="utf-8")
    headings = re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE)
    assert headings[:3] == ["Needs a human", "Students", "Summary"]
    for heading in headings:
        assert f"<h2>{heading}</h2>" in source, heading
    assert '<a href="feedback/heidi.py.md"><code>heidi.py</code></a>' in source.split("<h2>Students</h2>")[0]
    assert re.search(r"Graded <code>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}</code>", source)
    assert "grader <code>" in source and "rubric and reference <code>" in source
    assert f"input <code>{ROOT / 'examples'}</code>" in source

    dom = browse(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Class report · examples · " in dom.stdout and "<h1>Class report</h1>" in dom.stdout
    assert 'type="search"' in dom.stdout  # the page's script ran under its own policy

    probe = tmp_path / "probe.html"
    allowed = source.replace("script-src ", f"script-src 'sha256-{digest(PROBE)}' ")
    probe.write_text(allowed.replace("</body>", f"<script>{PROBE}</script></body>"))
    answered = browse(probe, "--dump-dom")
    found = re.search(r'data-probe="([^"]+)"', answered.stdout)
    assert found, answered.stdout[-2000:]
    measured = json.loads(html_text.unescape(found.group(1)))
    assert len(measured["images"]) == len(PLOTS)
    for alt, natural_width, natural_height, shown_width, complete in measured["images"]:
        assert complete and natural_width > 0 and natural_height > 0, alt  # decoded
        assert natural_width <= WIDTH - 40, (alt, natural_width)  # fits the page: not shrunk to fit
        assert shown_width >= 0.95 * natural_width, (alt, natural_width, shown_width)  # 11-pt text stays 15 px
    assert measured["scroll"] <= WIDTH  # no table or plot wider than the window
    assert measured["cut"] == []  # no word of any table drawn on two lines ("grade / d")
    zero = {"dana", "heidi.py"}  # sum_over_actions cannot train, so earns nothing; heidi.py does not parse
    assert set(measured["ascending"][:2]) == zero and set(measured["ascending"][-3:]) == FULL_MARKS
    assert set(measured["descending"][:3]) == FULL_MARKS and set(measured["descending"][-2:]) == zero
    assert measured["found"] == ["erin.py"]

    shot = tmp_path / "report.png"
    taken = browse(page, f"--screenshot={shot}")
    assert taken.returncode == 0, taken.stderr[-2000:]
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and struct.unpack(">II", data[16:24]) == (WIDTH, 1400)
    assert len(data) > 50_000  # text and plots, not a blank page
    if os.environ.get("UPDATE_SCREENSHOT") == "1":
        SCREENSHOT.write_bytes(data)


@pytest.mark.slow
def test_feedback_files_are_what_gradescope_shows(graded_examples):
    results = {
        path.name[: -len(".json")]: json.loads(path.read_text())
        for path in (graded_examples / "results").glob("*.json")
    }
    files = {
        path.name[: -len(".md")]: path.read_text(encoding="utf-8")
        for path in (graded_examples / "feedback").glob("*.md")
    }
    assert set(files) == set(results) and len(files) == 8
    for entry, document in results.items():
        text = files[entry]
        assert text.startswith("# Autograder feedback\n\nSubmission: `" + entry + "`")
        assert document["output"].strip() in text
        for test in document["tests"]:
            assert f"## {test['name']} ({test['score']:g} / {test['max_score']:g}, " in text
            assert test["output"].strip() in text
        assert "extra_data" not in text and "grader_fault" not in text
    assert (
        "The sign is flipped" in files["erin.py"]
        and "sign_flipped" not in files["erin.py"]
        and "**Score: 15 / 100**" in files["erin.py"]
    )
    assert "syntax error in `heidi.py` line 5" in files["heidi.py"]


def test_student_text_in_report_html_stays_text():
    from grader.outputs.report import markdown
    from grader.outputs.report_html import html

    rows = [
        batch_row(
            entry="<script>alert(1)</script>.py", reason='<img src=x onerror="alert(1)"> [x](javascript:alert(1))'
        ),
        batch_row(entry="https://evil.example/x.py", status="graded", score=15.0, mistakes=["sign_flipped"]),
    ]
    rows[0]["feedback"] = "feedback/<script>alert(1)</script>.py.md"  # a link to its feedback, encoded
    page = html(markdown(rows, {"sign_flipped": "The <b>sign</b> [is](http://x) flipped"}), {})
    body = page.split("<main>", 1)[1].split("</main>", 1)[0]  # the page's own script comes after
    assert "<script" not in body and "<img" not in body and "<b>" not in body
    links = re.findall(r"<a [^>]*>", body)
    assert set(links) == {'<a href="feedback/%3Cscript%3Ealert%281%29%3C/script%3E.py.md">'}
    assert "&lt;script&gt;alert(1)&lt;/script&gt;.py" in body
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in body
    assert "<code>https://evil.example/x.py</code>" in body


def test_an_image_that_was_not_drawn_is_dropped_not_linked():
    from grader.outputs.report_html import html, png_size

    pixel = bytes.fromhex(
        "89504e470d0a1a0a0000000d4948445200000003000000020806000000b7c7d5a6"
        "0000000d49444154789c63600001000000050001d3c4ed620000000049454e44ae426082"
    )
    page = html("![a](a.png) ![b](b.png) ![c](https://evil.example/c.png)", {"a.png": pixel})
    assert png_size(pixel) == (3, 2)
    assert page.count("<img") == 1 and 'width="3" height="2"' in page and "evil" not in page
