# SPDX-License-Identifier: Apache-2.0
"""A Python exception as the engine reports it (ours): type, message, traceback and frames."""
import traceback


def describe_exception(error: BaseException) -> dict:
    frames = [[f.filename, f.lineno, f.name] for f in traceback.extract_tb(error.__traceback__)]
    if isinstance(error, SyntaxError) and error.filename and error.lineno:
        frames.append([error.filename, error.lineno, "<module>"])
    return {
        "type": type(error).__name__,
        "message": str(error),
        "traceback": "".join(traceback.format_exception(type(error), error, error.__traceback__)),
        "frames": frames,
    }
