import os
import sys

from grader.cli import main

code = main()
# Leave without the interpreter's teardown: with torch loaded it takes half a second and does
# nothing here (every file is written and closed, every child process reaped by now).
try:
    sys.stdout.flush()
    sys.stderr.flush()
except (BrokenPipeError, ValueError):  # the reader went away, or a stream was closed
    code = code or 1
os._exit(code if isinstance(code, int) else 1)
