/**
 * A Python exception, raised on the TypeScript side (ours): `error.name` is the Python type
 * (`ImportError`, `KeyError`, …) and `error.message` its `str()`, so the engine's reports read as
 * LMCache's; the traceback is kept, and `stack` lists the Python frames innermost first in
 * V8's `at fn (file:line:col)` form, so the engine's stack-based locator points at the `.py`
 * line that raised.
 */

/** The bridge's description of an exception (lmcache_connector_kit/errors.py). */
export interface PythonExceptionInfo {
  type: string;
  message: string;
  traceback: string;
  /** `[file, line, function]`, outermost first (as `traceback.extract_tb`). */
  frames: [string, number, string][];
}

export class PythonException extends Error {
  /** Python's formatted traceback (`traceback.format_exception`). */
  readonly pythonTraceback: string;
  readonly pythonFrames: [string, number, string][];

  constructor(info: PythonExceptionInfo, opts: { withTraceback?: boolean } = {}) {
    super(opts.withTraceback ? `${info.message}\n${info.traceback.trimEnd()}` : info.message);
    this.name = info.type;
    this.pythonTraceback = info.traceback;
    this.pythonFrames = info.frames;
    const frames = [...info.frames].reverse().map(([file, line, fn]) => `    at ${fn} (${file}:${line}:1)`);
    this.stack = [`${info.type}: ${info.message}`, ...frames].join("\n");
  }
}

/** The bridge itself failed (exited, crashed, timed out): a `RuntimeError` naming what was in flight. */
export class BridgeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "RuntimeError";
  }
}
