"""What a student's exception says, read without trusting it: its str(), repr(), class name and
frames are the student's code, and may raise, lie or be empty."""

from __future__ import annotations

import os
import traceback
from typing import Callable

TEXT_CAP = 2000


def describe_error(exc: BaseException, prefix: str = "") -> dict:
    where = "".join(_guarded(lambda: traceback.format_list(own_frames(exc)[-3:]), []))
    text = error_text(exc)
    return {
        "error": (prefix + text)[:TEXT_CAP],
        "traceback": where[-TEXT_CAP:] or None,
        "memory": isinstance(exc, MemoryError) or "can't allocate memory" in text,
    }


def class_name(exc: BaseException) -> str:
    """The exception's class name; a student can set it to "" (__name__ and __qualname__ both),
    or give the class a metaclass whose __qualname__ raises."""
    name = _guarded(lambda: type(exc).__qualname__ or type(exc).__name__, "")
    return name if isinstance(name, str) and name else "an exception of a class with no name"


def error_text(exc: BaseException) -> str:
    """ "Type: message", never empty and never raising: the exception's str() and repr() are the
    student's code (they may raise, even SystemExit, or return something that is not a str)."""

    def text() -> str:
        if isinstance(exc, SystemExit):
            return f"SystemExit: the function called sys.exit({_guarded(lambda: repr(exc.code), '<unprintable>')})"
        if not type(exc).__qualname__:  # traceback would print "submission.: message", or nothing
            message = str(exc)
            return class_name(exc) + (f": {message}" if message else "")
        return "".join(traceback.format_exception_only(type(exc), exc)).strip()

    written = _guarded(text, "")
    if not isinstance(written, str) or not written.strip():
        return f"{class_name(exc)} (its message could not be read)"
    return written


def own_frames(exc: BaseException) -> list:
    """The traceback's frames in the submission's own file: the sandbox's child and the self-check
    compile it under the student's bare file name, while an installed module's frames carry a path
    and code compiled from a string (torch's generated code too) a "<name>"."""
    frames = _guarded(lambda: traceback.extract_tb(exc.__traceback__), [])
    return [f for f in frames if isinstance(f.filename, str) and is_bare_file_name(f.filename)]


def is_bare_file_name(name: str) -> bool:
    """A file name without a folder that is not a "<string>": what a submission is compiled under."""
    return bool(name) and os.path.basename(name) == name and not name.startswith("<")


def _guarded(read: Callable, default):
    try:
        return read()
    except BaseException:  # the student's __str__, __repr__ or code object misbehaving
        return default
