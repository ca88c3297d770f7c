# SPDX-License-Identifier: Apache-2.0
"""A Python exception as the engine reports it (ours): type, message, traceback and frames.

The bridge's own frames (and the ``concurrent.futures`` plumbing that carries a coroutine's
result across threads) are cut from the front of the traceback: it starts where the
connector's code, or the ``lmcache`` package it called, begins."""
import os
import traceback

_KIT_DIR = os.path.dirname(os.path.abspath(__file__))
_PLUMBING = (_KIT_DIR + os.sep, os.sep + os.path.join("concurrent", "futures") + os.sep, os.sep + os.path.join("asyncio", ""))


def _is_plumbing(filename: str) -> bool:
    return any(part in filename for part in _PLUMBING)


def _user_traceback(tb):
    start = tb
    while start is not None and _is_plumbing(start.tb_frame.f_code.co_filename):
        start = start.tb_next
    return start if start is not None else tb


def describe_exception(error: BaseException) -> dict:
    tb = _user_traceback(error.__traceback__)
    frames = [[f.filename, f.lineno, f.name] for f in traceback.extract_tb(tb)]
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        frames.append([error.filename, error.lineno, "<module>"])
    return {
        "type": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(type(error), error, tb)),
        "frames": frames,
    }
