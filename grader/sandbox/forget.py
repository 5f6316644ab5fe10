"""What the zygote erases, once forked, of the grading process it is a copy of.

Under `python -m grader` the zygote is forked before the command line is parsed
(grader/__main__.py): no frame or object holds the class folder, the output folder
or a rubric yet. What it still inherits is the process's start: the command line
and the environment, in several copies a child could read, since every child is
a fork of the zygote and may read its own memory:

- sys.argv, sys.orig_argv and os.environ, as Python objects;
- the strings the kernel put on the stack, which /proc/self/cmdline and
  /proc/self/environ read from the process's own memory;
- the interpreter's wide-character copies of the command line (its configuration,
  Py_GetArgcArgv), which no Python object refers to (other copies made at start-up
  and freed, if any, are not searched for);
- the bytes of each environment variable (os.environ's own store), which would
  stay in freed memory once the variable is removed.

Each is overwritten in place, then dropped. Copies of a value that grading code
decoded and freed before the fork may remain in freed memory (README, "Security
model"); values Python keeps alive for its own use (sys.executable, sys.path) are
the installation's, not the run's.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
from typing import List

_BYTES_DATA = sys.getsizeof(b"") - 1  # where a bytes object's characters start, after its header
_HEAP_HEAD = 4 << 20  # bytes of the heap where start-up's allocations are


def forget_the_grader() -> None:
    """Erase the command line and environment this process inherited (see the module)."""
    tempfile.gettempdir()  # the monitors' temp dir, found while TMPDIR is still set (then cached)
    arguments = [text for text in sys.orig_argv[1:] if len(text) >= 3]
    _erase_wide_copies(arguments)
    del sys.argv[:]
    del sys.orig_argv[:]
    _erase_environment()
    _erase_stack_strings()


def _erase_wide_copies(arguments: List[str]) -> None:
    """Zero the interpreter's wide-character (UTF-32) copies of the arguments: its configuration's
    argv and orig_argv and Py_GetArgcArgv's, allocated at start-up and so at the bottom of the heap
    (scanning all 200 MB of torch's memory would take a second). Python's own text is UTF-32 only
    with characters beyond U+FFFF, so nothing else matches."""
    if not arguments:
        return
    pattern = re.compile(b"|".join(re.escape(text.encode("utf-32-le")) for text in arguments))
    with open("/proc/self/maps") as handle:
        heap = [line.split()[0] for line in handle if line.rstrip().endswith("[heap]")]
    for span in heap[:1]:
        start, end = (int(part, 16) for part in span.split("-"))
        memory = memoryview((ctypes.c_char * min(end - start, _HEAP_HEAD)).from_address(start)).cast("B")
        for found in pattern.finditer(memory):
            ctypes.memset(start + found.start(), 0, found.end() - found.start())


def _erase_environment() -> None:
    """Zero the bytes of each variable's name and value, then remove them all. (Bytes of one
    character or none are interpreter-wide singletons: those are left alone.)"""
    held = [item for pair in os.environb.items() for item in pair]
    os.environ.clear()
    for item in held:
        if len(item) > 1:
            ctypes.memset(id(item) + _BYTES_DATA, 0, len(item))


def _erase_stack_strings() -> None:
    """Zero the command line and environment the kernel put on the stack, which
    /proc/self/cmdline and /proc/self/environ read (clearing os.environ leaves them)."""
    with open("/proc/self/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    arg_start, arg_end, env_start, env_end = (int(f) for f in fields[45:49])
    for start, end in ((arg_start, arg_end), (env_start, env_end)):
        if 0 < start < end:
            ctypes.memset(start, 0, end - start)
