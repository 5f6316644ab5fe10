"""Hostile: hunt for the reference solution, the hidden seeds and the grader's secrets.

Tries, and prints what each probe found (only findings and a one-line summary,
so the capped output shows everything):
  * its working directory and every parent; /tmp; /autograder/source;
  * the grader's repository, found through grader.__file__ and every sys.path
    entry and their parents (reference/pseudo_loss.py, reference/rubric.json);
  * /proc/<ppid>/{cwd,root,environ,cmdline,maps,mem} of the process above it
    (found through /proc/self/status, since getppid() may say 0), /proc/1/...;
  * its own /proc/self/environ (the environment it was born with, before the
    sandbox scrubbed os.environ) for variables beyond the scrubbed ones;
  * `import reference`, `import reference.pseudo_loss`;
  * sys.modules and gc.get_objects() for reference modules, a loaded rubric,
    hidden Case/Expected objects, a dict with the rubric's "hidden" seeds, or
    any other function called pseudo_loss.
If it finds the reference it returns the reference's answer (full marks would
show the leak); otherwise a wrong loss, mean(softmax * q).
Must happen: the score of that wrong loss, and its output ends with
"SEARCH RESULT: found nothing".
"""
import gc
import importlib
import os
import sys
import warnings

import torch

BAKED = {}

SCRUBBED = {"PATH", "HOME", "TMPDIR", "LANG", "OMP_NUM_THREADS", "MKL_NUM_THREADS"}
findings = []
_reference = []


def _found(what):
    findings.append(what)
    print(f"FOUND: {what}")


def _read(path, size=4096):
    with open(path, "rb") as handle:
        return handle.read(size)


def _try_reference_source(path):
    """Read a candidate reference file; if it defines pseudo_loss, keep it."""
    try:
        source = _read(path, 1 << 20).decode("utf-8", "replace")
    except OSError:
        return
    _found(f"readable {path} ({len(source)} chars)")
    if "def pseudo_loss" in source:
        namespace = {}
        try:
            exec(compile(source, path, "exec"), namespace)
            _reference.append(namespace["pseudo_loss"])
        except Exception:
            pass


def _try_listdir(path, interesting=("reference", "rubric.json", "hidden")):
    try:
        names = os.listdir(path)
    except OSError:
        return
    hits = sorted(n for n in names if any(word in n for word in interesting))
    if hits:
        _found(f"listing of {path} shows {hits[:5]}")


def _search_files():
    candidates = []
    here = os.getcwd()
    while True:
        candidates.append(here)
        parent = os.path.dirname(here)
        if parent == here:
            break
        here = parent
    for entry in sys.path:
        if entry:
            entry = os.path.abspath(entry)
            candidates += [entry, os.path.dirname(entry), os.path.dirname(os.path.dirname(entry))]
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] == "grader" and getattr(module, "__file__", None):
            package = os.path.dirname(os.path.abspath(module.__file__))
            candidates += [package, os.path.dirname(package)]
    candidates += ["/tmp", "/autograder", "/autograder/source", "/work/main"] + list(BAKED.get("dirs", ()))
    for directory in dict.fromkeys(candidates):
        for child in ("", "reference"):
            base = os.path.join(directory, child)
            _try_listdir(base)
            if os.path.basename(base.rstrip("/")) == "reference" or child:
                _try_reference_source(os.path.join(base, "pseudo_loss.py"))
                for secret in ("rubric.json", "mistakes.py"):
                    try:
                        _read(os.path.join(base, secret), 64)
                        _found(f"readable {os.path.join(base, secret)}")
                    except OSError:
                        pass


def _parent_pid():
    try:
        for line in _read("/proc/self/status", 65536).decode().splitlines():
            if line.startswith("PPid:"):
                return int(line.split()[1])
    except OSError:
        pass
    return os.getppid()


def _search_proc():
    for pid in {_parent_pid(), os.getppid(), 1} - {0, os.getpid()}:  # in its own pid namespace, 1 is itself
        for leaf in ("environ", "cmdline", "maps", "mem"):
            try:
                data = _read(f"/proc/{pid}/{leaf}", 256)
                if data:
                    _found(f"readable /proc/{pid}/{leaf}")
            except OSError:
                pass
        for leaf in ("cwd", "root"):
            try:
                _found(f"listing /proc/{pid}/{leaf}: {sorted(os.listdir(f'/proc/{pid}/{leaf}'))[:5]}")
            except OSError:
                pass
    try:
        born_with = _read("/proc/self/environ", 1 << 20).split(b"\0")
    except OSError:
        born_with = []
    extra = sorted({item.split(b"=", 1)[0].decode("utf-8", "replace") for item in born_with if item} - SCRUBBED)
    if extra:
        _found(f"/proc/self/environ still holds {len(extra)} variables of the grader, e.g. {extra[:8]}")


def _search_imports():
    for name in ("reference", "reference.pseudo_loss", "reference.mistakes"):
        try:
            module = importlib.import_module(name)
        except BaseException:
            continue
        _found(f"import {name}")
        if hasattr(module, "pseudo_loss"):
            _reference.append(module.pseudo_loss)


def _search_memory():
    for name, module in list(sys.modules.items()):
        if name.split(".")[0] in ("reference", "mistakes", "rubric") or name == "grader.mistakes":
            _found(f"module {name} is loaded")
            if hasattr(module, "pseudo_loss"):
                _reference.append(module.pseudo_loss)
    rubric = sys.modules.get("grader.course.rubric")
    cached = getattr(getattr(rubric, "load_rubric", None), "cache_info", None)
    if cached is not None and cached().currsize:
        _found("grader.course.rubric.load_rubric has a cached rubric")
    me = sys.modules.get("submission")
    warnings.simplefilter("ignore")  # getattr on some torch objects warns about deprecations
    for obj in gc.get_objects():
        kind = type(obj).__name__
        if kind in ("Rubric", "Expected") or (kind == "Case" and getattr(obj, "hidden", False)):
            _found(f"a {kind} object in memory")
            break
        if isinstance(obj, dict) and "hidden" in obj and ("weights" in obj or "policy" in obj.get("hidden", {})):
            _found("a dict with hidden seeds")
            break
        if callable(obj) and getattr(obj, "__name__", "") == "pseudo_loss" and getattr(obj, "__module__", "") not in ("submission", None):
            if me is None or obj is not getattr(me, "pseudo_loss", None):
                _found(f"another pseudo_loss in {obj.__module__}")
                _reference.append(obj)
                break


for probe in (_search_files, _search_proc, _search_imports, _search_memory):
    try:
        probe()
    except Exception as exc:  # a broken probe must not stop the others
        print(f"probe {probe.__name__} failed: {type(exc).__name__}")

print("SEARCH RESULT: " + (f"found {len(findings)}: " + "; ".join(findings)[:300] if findings else "found nothing"))


def pseudo_loss(logits, actions, q_values):
    if _reference:
        return _reference[0](logits, actions, q_values)
    return (torch.softmax(logits, dim=1) * q_values[:, None]).mean()
