"""report.html in a real browser, and the feedback files, for the class `make grade` grades.

The batch grades examples/ (as `make grade` does) in a fresh interpreter; headless
Chromium (Debian's package; .ci/run installs it) then loads OUT/report.html at 1000 px:
it must have its title, every plot decoded and shown at (nearly) its natural size, no
horizontal scrolling, and make a screenshot 1000 px wide. With UPDATE_SCREENSHOT=1 the
screenshot replaces docs/report-html.png, the picture in the README.
"""

from __future__ import annotations

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

ROOT = Path(__file__).resolve().parents[2]
WIDTH = 1000
SCREENSHOT = ROOT / "docs" / "report-html.png"
PLOTS = ("overview.png", "scores.png", "mistakes.png", "learning.png")
# Run in a copy of the page (the page itself allows no script): what the browser made of each image.
PROBE = """<script>
window.addEventListener("load", () => {
  const images = [...document.images].map(i => [i.alt, i.naturalWidth, i.naturalHeight, i.width, i.complete]);
  document.body.dataset.probe = JSON.stringify({images, scroll: document.documentElement.scrollWidth});
});
</script>"""


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
    command += ["--skip", "extra_tests.py"]  # the example course tests are no submission (Makefile's grade)
    run = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "report.html" in run.stdout and "feedback/" in run.stdout
    return out


@pytest.mark.slow
def test_report_html_is_one_file_and_renders_readably_in_chromium(graded_examples, tmp_path):
    page = graded_examples / "report.html"
    source = page.read_text(encoding="utf-8")
    # Self-contained: no script, nothing loaded from anywhere but data: URIs.
    assert "<script" not in source.lower()
    assert re.findall(r'(?:src|href)="(?!data:image/png;base64,)', source) == []
    assert source.count('src="data:image/png;base64,') == len(PLOTS)
    assert "Content-Security-Policy" in source and "default-src 'none'" in source
    # The same content as report.md, and the header a head TA asks for.
    markdown = (graded_examples / "report.md").read_text(encoding="utf-8")
    for heading in re.findall(r"^## (.+)$", markdown, flags=re.MULTILINE):
        assert f"<h2>{heading}</h2>" in source, heading
    assert re.search(r"Graded <code>\d{4}-\d\d-\d\d \d\d:\d\d:\d\d [+-]\d{4}</code>", source)
    assert "grader <code>" in source and "rubric and reference <code>" in source
    assert f"input <code>{ROOT / 'examples'}</code>" in source

    dom = browse(page, "--dump-dom")
    assert dom.returncode == 0, dom.stderr[-2000:]
    assert "<title>Class report · examples · " in dom.stdout and "<h1>Class report</h1>" in dom.stdout

    probe = tmp_path / "probe.html"
    allowed = source.replace("default-src 'none'", "default-src 'none'; script-src 'unsafe-inline'")
    probe.write_text(allowed.replace("</body>", PROBE + "</body>"))
    answered = browse(probe, "--dump-dom")
    found = re.search(r'data-probe="([^"]+)"', answered.stdout)
    assert found, answered.stdout[-2000:]
    measured = json.loads(found.group(1).replace("&quot;", '"'))
    assert len(measured["images"]) == len(PLOTS)
    for alt, natural_width, natural_height, shown_width, complete in measured["images"]:
        assert complete and natural_width > 0 and natural_height > 0, alt  # decoded
        assert natural_width <= WIDTH - 40, (alt, natural_width)  # fits the page: not shrunk to fit
        assert shown_width >= 0.95 * natural_width, (alt, natural_width, shown_width)  # 11-pt text stays 15 px
    assert measured["scroll"] <= WIDTH  # no table or plot wider than the window

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
    page = html(markdown(rows, {"sign_flipped": "The <b>sign</b> [is](http://x) flipped"}), {})
    body = page.split("<main>", 1)[1]
    assert "<script" not in body and "<img" not in body and "<a " not in body and "<b>" not in body
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
