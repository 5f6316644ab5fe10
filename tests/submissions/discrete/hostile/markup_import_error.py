"""Hostile: print every markup payload, then fail the import with an ImportError that names them.

Tries: the import error's message ("importing it failed: ...") and the printed
output reach the student's Markdown feedback and the TA's terminal; the payloads
(markup_payloads.py, a helper module beside this file) are an <img onerror>, a
<script>, a fake regrade link, a "# Score: 100 / 100" heading, runs of backticks,
terminal escapes, bidi and zero-width characters.
Must happen: score 0, "importing it failed", every payload shown as text (escapes
and invisible characters written out), nothing rendered as HTML, link or heading.
"""
import sys

from markup_payloads import LINES

print(LINES)
print(LINES, file=sys.stderr)
raise ModuleNotFoundError(LINES, name=LINES)
