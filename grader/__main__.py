"""`python -m grader`. The sandbox's zygote is forked first, before the command line is parsed:
it, and every child it forks, then holds nothing of this run (no class folder, no rubric)."""

import os
import sys

from grader.errors import Exit
from grader.sandbox.parent import Zygote

Zygote.fork_early()

from grader.cli import main  # noqa: E402  (after the fork, on purpose)

code = main()
# Leave without the interpreter's teardown: with torch loaded it takes half a second and does
# nothing here (every file is written and closed, every child process reaped by now).
try:
    sys.stdout.flush()
    sys.stderr.flush()
except (BrokenPipeError, ValueError):  # the reader went away, or a stream was closed
    code = code or Exit.FAILED
os._exit(code if isinstance(code, int) else Exit.FAILED)
