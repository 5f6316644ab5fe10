"""Hostile: look for anything of the grading process that a child could read, and print
it into its own feedback. The zygote every child is forked from is itself a fork of the
grader; a zygote forked late would carry the grader's frames, arguments, environment and
objects. It searches:

- gc.get_objects() (every string in every container, and lists equal to a hidden case),
  the frames up the stack from sys._getframe() (locals and globals), every module's
  globals, sys.argv, sys.orig_argv, os.environ;
- /proc/self/{cmdline,environ,mountinfo,maps}, the links /proc/self/{cwd,root,fd/*},
  and the names under / down to three levels;
- its whole writable memory (heap, stacks, anonymous maps), for the class folder's path
  as UTF-8 or UTF-32 (the interpreter's own copies of argv are wide characters);

for BAKED's needles: the class folder's path and name, a classmate's entry name, the
output folder, the rubric's path, and its hidden cases; and a control that is in its own
source, so a blind search shows. Without BAKED it finds nothing to look for.

Expected: only its control found (the zygote is forked before the command line is parsed
and erases the argv and environment it inherited, the interpreter's copies included; the
private root holds no path of the grader or the class); the zero twin's score.
"""

import ctypes
import gc
import json
import os
import re
import sys

BAKED = {}


def _search_memory(hex_text: str) -> str:
    """Where its own memory holds the text (UTF-8 or UTF-32), searched for as two halves that
    must be adjacent, so that no object of its own holds the whole text; "" if nowhere."""
    cut = len(hex_text) // 4 * 2
    first, second = bytes.fromhex(hex_text[:cut]), bytes.fromhex(hex_text[cut:])
    forms = [(first, second), (first.decode().encode("utf-32-le"), second.decode().encode("utf-32-le"))]
    with open("/proc/self/maps") as handle:
        regions = [line.split() for line in handle]
    for fields in regions:
        name = fields[5] if len(fields) > 5 else ""
        if not fields[1].startswith("rw") or name not in ("", "[heap]", "[stack]"):
            continue
        start, end = (int(part, 16) for part in fields[0].split("-"))
        memory = memoryview((ctypes.c_char * (end - start)).from_address(start)).cast("B")
        for head, tail in forms:
            for found in re.finditer(re.escape(head), memory):
                if memory[found.end() : found.end() + len(tail)] == tail:
                    return f"memory {name or 'anonymous'} +{found.start():#x}"
    return ""


# Searched first, before anything below holds the whole text of a needle.
IN_MEMORY = _search_memory(BAKED["needles"]["class folder"]) if BAKED.get("needles") else ""
# Baked as hex, so that its own source and constants hold no needle for it to find.
NEEDLES = {label: bytes.fromhex(text).decode() for label, text in BAKED.get("needles", {}).items() if text}
HIDDEN = json.loads(bytes.fromhex(BAKED.get("hidden", "5b5d")))
MINE = {id(NEEDLES), id(HIDDEN), *map(id, HIDDEN)}
found = {"class folder": IN_MEMORY} if IN_MEMORY else {}


def _check(text, where: str) -> None:
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if not isinstance(text, str):
        return
    for label, needle in NEEDLES.items():
        if needle in text and label not in found:
            found[label] = where


def _search_objects() -> None:
    for obj in gc.get_objects():
        if id(obj) in MINE:
            continue
        if isinstance(obj, dict):
            items = [*obj.keys(), *obj.values()]
        elif isinstance(obj, (list, tuple, set, frozenset)):
            items = list(obj)
            if isinstance(obj, list) and obj in HIDDEN:
                found.setdefault("hidden case", "a list in gc.get_objects()")
        else:
            continue
        for item in items:
            _check(item, f"gc object {type(obj).__name__}")


def _search_frames() -> None:
    frame = sys._getframe()
    while frame is not None:
        for name, value in [*frame.f_locals.items(), *frame.f_globals.items()]:
            _check(name, "frame")
            _check(value, f"frame {frame.f_code.co_name} {name}")
            if isinstance(value, (list, tuple)):
                for item in value:
                    _check(item, f"frame {frame.f_code.co_name} {name}[]")
        frame = frame.f_back
    for module in list(sys.modules.values()):
        for name, value in list(getattr(module, "__dict__", {}).items()):
            _check(value, f"module {getattr(module, '__name__', '?')}.{name}")
    for item in [*sys.argv, *getattr(sys, "orig_argv", []), *os.environ.values()]:
        _check(item, "argv or environ")


def _search_proc() -> None:
    for leaf in ("cmdline", "environ", "mountinfo", "maps"):
        try:
            with open(f"/proc/self/{leaf}", "rb") as handle:
                _check(handle.read(1 << 22).replace(b"\0", b" "), f"/proc/self/{leaf}")
        except OSError:
            pass
    links = ["/proc/self/cwd", "/proc/self/root"]
    try:
        links += [f"/proc/self/fd/{fd}" for fd in os.listdir("/proc/self/fd")]
    except OSError:
        pass
    for link in links:
        try:
            _check(os.readlink(link), link)
        except OSError:
            pass


def _search_tree(folder: str = "/", depth: int = 3) -> None:
    try:
        names = os.listdir(folder)
    except OSError:
        return
    for name in names:
        path = os.path.join(folder, name)
        _check(path, "the filesystem")
        if depth and path not in ("/proc", "/usr", "/sys") and os.path.isdir(path) and not os.path.islink(path):
            _search_tree(path, depth - 1)


for probe in (_search_objects, _search_frames, _search_proc, _search_tree):
    try:
        probe()
    except Exception as exc:  # a broken probe must not stop the others
        print(f"SNOOP probe {probe.__name__} failed: {type(exc).__name__}")
for label, where in sorted(found.items()):
    print(f"SNOOP FOUND {label} in {where}: {NEEDLES.get(label, '')}")
print("SNOOP found nothing" if not found else f"SNOOP found {len(found)} things")


def pseudo_loss(logits, actions, q_values):
    return (logits * 0.0).sum()
