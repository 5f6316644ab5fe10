"""The sandboxed child's side: import the submission from source, then answer calls.

This module runs with the student's code in the same process, so it holds
nothing worth stealing and trusts nothing it gets back from that code: every
answer is re-validated by the grader (answer.Answer.parse).
"""

from __future__ import annotations

import linecache
import os
import socket
import sys
import types
from typing import Callable, Dict, List, Tuple

import torch

from grader.calling.answer import Inputs, evaluate, make_inputs, seed_everything
from grader.calling.raised import TEXT_CAP, error_text, is_bare_file_name, own_frames
from grader.contract import SUBMISSION_FILE, Contract
from grader.sandbox import protocol

# The grader is trusted, so what it sends may be large: a CartPole batch is big.
_FROM_GRADER = protocol.Bounds(header_bytes=16 * 1024 * 1024, payload_bytes=64 * 1024 * 1024)


def serve(calls: socket.socket, workdir: str) -> None:
    """Answer the grader's questions until it says goodbye or hangs up. One child answers for
    every function of the upload (each a contract): they live in one module, as the student wrote them."""
    functions: Dict[str, Tuple[Callable, Contract]] = {}
    inputs: Dict[str, Inputs] = {}  # each function's previous inputs, for "again"
    while True:
        try:
            header, arrays = protocol.recv(calls, _FROM_GRADER)
        except protocol.ProtocolError:
            return
        op, name = header.get("op"), header.get("function")
        if op == "load":
            contracts = [Contract.from_json(contract) for contract in header["contracts"]]
            reply, functions = _load(header["files"], workdir, contracts, str(header.get("name", "")))
            reply_arrays: dict = {}
        elif op == "call" and name in functions:
            function, contract = functions[name]
            if not (header.get("again") and name in inputs):  # "again": this function's previous tensors
                inputs[name] = make_inputs(contract, [arrays[arg] for arg in contract.names])
            reply, reply_arrays = evaluate(function, inputs[name], contract, trace=bool(header.get("trace")))
        else:
            return
        _flush()
        protocol.send(calls, reply, reply_arrays)


def _load(files: dict, workdir: str, contracts: List[Contract], name: str):
    """Write helper modules beside the entry point, then execute the entry point as a module.
    The entry point is not written (the working directory starts empty) but compiled under the
    student's own file name (a bare name: raised.own_frames) and put in linecache under it: inspect
    finds its source there (TorchScript compiles from it), and tracebacks quote its lines and name
    the student's file. mtime None: linecache.checkcache never drops the entry. Returns the reply
    (the import's error, or each wanted function's: missing, not callable) and the functions found."""
    for helper, source in files.items():
        if helper != SUBMISSION_FILE:
            with open(os.path.join(workdir, helper), "w", encoding="utf-8") as handle:
                handle.write(source)
    name = name if is_bare_file_name(name) else SUBMISSION_FILE
    source = files[SUBMISSION_FILE]
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    sys.path.insert(0, workdir)
    sys.argv = [name]  # not the grader's command line
    seed_everything()
    module = types.ModuleType("submission")
    module.__file__ = os.path.join(workdir, name)
    sys.modules["submission"] = module
    try:
        code = compile(source, name, "exec")
        exec(code, module.__dict__)
    except BaseException as exc:  # SystemExit and KeyboardInterrupt at import time too
        return _failed(exc), {}
    _eager()
    found, errors = {}, {}
    for contract in contracts:
        error = _missing(module.__dict__, contract.function)
        if error:
            errors[contract.function] = error
        else:
            found[contract.function] = (module.__dict__[contract.function], contract)
    return {"kind": "loaded", "error": None, "missing": errors}, found


def _missing(namespace: dict, wanted: str) -> str:
    """Why the module gives no function named `wanted`; "" when it does."""
    function = namespace.get(wanted)
    if function is None:
        names = sorted(n for n, v in namespace.items() if callable(v) and not n.startswith("_"))
        found = f" (it defines: {', '.join(names[:10])})" if names else ""
        return f"the submission has no function named `{wanted}`{found}"
    if not callable(function):
        # The type's name is the student's: in quotes, as Python's messages quote names, so that
        # no backtick of it can pair with the grader's own when shown as Markdown (text.escaped).
        return f"`{wanted}` is not a function but a value of type '{type(function).__name__}'"
    return ""


def _eager() -> None:
    """A submission that used torch.compile runs eagerly: the grader grades the math, and inductor
    can neither write its cache nor start its workers here. TORCH_COMPILE_DISABLE=1 (lockdown.py)
    turns Dynamo off, but a fullgraph=True function then raises "found no compiled frames" unless
    the stance is force_eager. Only when Dynamo was imported: importing it costs 1.8 s and 110 MB."""
    if "torch._dynamo" in sys.modules:
        try:
            torch.compiler.set_stance("force_eager")
        except Exception:  # the submission may have replaced it: its own loss, run as it is
            pass


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
