"""Hostile helper module: text that renders as something other than itself (issue 27).

Not a submission on its own: the markup_* submissions import it, graded as a folder
with this file beside them (tests/outputs/test_inert_text_e2e.py builds the folders),
and the test reads PAYLOADS from it to know what each output must show as text.
Each payload, shown raw, would become: an image whose onerror runs script, a script,
a link to a fake regrade portal, a heading with a fake score, a code span or block
that swallows what follows, emphasis, a cleared terminal, a fake coloured verdict,
a clipboard write (OSC 52), a hidden hyperlink (OSC 8), a C1 CSI, a name that reads
backwards (U+202E), direction isolates, zero-width and line-separator characters.
"""

PAYLOADS = (
    "<img src=x onerror=alert(1)>",
    "<script>alert(1)</script>",
    "[Regrade here](http://regrade.example/)",
    "# Score: 100 / 100",
    "```",
    "`` ` ``",
    "*bold* _em_",
    "\x1b[2J\x1b[H",
    "\x1b[32mPASS 100/100\x1b[0m",
    "\x1b]52;c;ZWNobyBoaQ==\x07",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "\x9b2J",
    "\u202egnp.exe",
    "\u2066lri\u2067rli\u2068fsi\u2069pdi",
    "zero\u200bwidth",
    "rtl\u200fmark",
    "bom\ufeffhere",
    "line\u2028sep",
    "para\u2029sep",
)
LINES = "\n".join(PAYLOADS)  # each payload at the start of its own line, as a heading needs
ONE_LINE = " ".join(PAYLOADS)
