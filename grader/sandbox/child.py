"""The sandboxed child's side: import the submission from source, then answer calls.

This module runs with the student's code in the same process, so it holds
nothing worth stealing and trusts nothing it gets back from that code: every
answer is re-validated by the grader (answer.Answer.parse).
"""

from __future__ import annotations

import linecache
import os
import random
import socket
import sys
import types

import numpy
import torch

from grader.checks.answer import evaluate, make_inputs
from grader.checks.raised import TEXT_CAP, error_text, own_frames
from grader.contract import SUBMISSION_FILE, Contract
from grader.sandbox import protocol

# The grader is trusted, so what it sends may be large: a CartPole batch is big.
_FROM_GRADER = protocol.Bounds(header_bytes=16 * 1024 * 1024, payload_bytes=64 * 1024 * 1024)


def serve(calls: socket.socket, workdir: str) -> None:
    """Answer the grader's questions until it says goodbye or hangs up."""
    function, inputs, contract = None, None, None
    while True:
        try:
            header, arrays = protocol.recv(calls, _FROM_GRADER)
        except protocol.ProtocolError:
            return
        op = header.get("op")
        if op == "load":
            contract = Contract.from_json(header["contract"])
            reply, function = _load(header["files"], workdir, contract.function)
            reply_arrays: dict = {}
        elif op == "call" and function is not None and contract is not None:
            if not (header.get("again") and inputs is not None):  # "again": the previous call's tensors
                inputs = make_inputs(contract, [arrays[name] for name in contract.names])
            reply, reply_arrays = evaluate(function, inputs, contract, trace=bool(header.get("trace")))
        else:
            return
        _flush()
        protocol.send(calls, reply, reply_arrays)


def _load(files: dict, workdir: str, wanted: str):
    """Write helper modules beside the entry point, then execute the entry point as a module.
    The entry point is not written (the working directory starts empty) but put in linecache under
    the name it is compiled with: inspect finds its source there (TorchScript compiles from it),
    and tracebacks quote its lines. mtime None: linecache.checkcache never drops the entry."""
    for name, source in files.items():
        if name != SUBMISSION_FILE:
            with open(os.path.join(workdir, name), "w", encoding="utf-8") as handle:
                handle.write(source)
    source = files[SUBMISSION_FILE]
    linecache.cache[SUBMISSION_FILE] = (len(source), None, source.splitlines(True), SUBMISSION_FILE)
    sys.path.insert(0, workdir)
    sys.argv = [SUBMISSION_FILE]  # not the grader's command line
    _seed_everything()
    module = types.ModuleType("submission")
    module.__file__ = os.path.join(workdir, SUBMISSION_FILE)
    sys.modules["submission"] = module
    try:
        code = compile(source, SUBMISSION_FILE, "exec")
        exec(code, module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt at import time too
        return _failed(exc), None
    function = module.__dict__.get(wanted)
    if function is None:
        names = sorted(n for n, v in module.__dict__.items() if callable(v) and not n.startswith("_"))
        found = f" (it defines: {', '.join(names[:10])})" if names else ""
        return {"kind": "loaded", "error": f"the submission has no function named `{wanted}`{found}"}, None
    if not callable(function):
        return {
            "kind": "loaded",
            "error": f"`{wanted}` is not a function but a value of type `{type(function).__name__}`",
        }, None
    return {"kind": "loaded", "error": None}, function


def _seed_everything() -> None:
    """Every child starts from the same random state, so a submission that draws random
    numbers gets the same grade on every run and every machine."""
    random.seed(0)
    numpy.random.seed(0)
    torch.manual_seed(0)


def _failed(exc: BaseException) -> dict:
    """The import error in words; the exception is the student's, so reading it must not raise."""
    text = error_text(exc)
    if isinstance(exc, SystemExit):
        text = text.replace("SystemExit: the function called", "the submission called", 1) + " while being imported"
    else:
        frames = own_frames(exc)
        text += f" (line {frames[-1].lineno})" if frames else ""
    return {"kind": "loaded", "error": text[:TEXT_CAP], "memory": isinstance(exc, MemoryError)}


def _flush() -> None:
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except Exception:
            pass
