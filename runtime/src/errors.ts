/**
 * Errors named after the Python exceptions LMCache raises, so a connector author sees the same
 * exception class (in `error.name`) and message here as in a Python LMCache log.
 */
export class PythonError extends Error {
  constructor(name: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = name;
  }
}

/** Python `ValueError`. */
export class ValueError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ValueError", message, options);
  }
}

/** Python `AssertionError` (LMCache validates URLs with `assert`). */
export class AssertionError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("AssertionError", message, options);
  }
}

/** Python `TypeError`. */
export class TypeError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TypeError", message, options);
  }
}

/** Python `ImportError`. */
export class ImportError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("ImportError", message, options);
  }
}

/** Python `AttributeError`. */
export class AttributeError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("AttributeError", message, options);
  }
}

/** Python `NotImplementedError`: raised by optional `RemoteConnector` methods that were not overridden. */
export class NotImplementedError extends PythonError {
  constructor(message = "", options?: { cause?: unknown }) {
    super("NotImplementedError", message, options);
  }
}

/** Python `RuntimeError`. */
export class RuntimeError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("RuntimeError", message, options);
  }
}

/** Python `KeyError`. */
export class KeyError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("KeyError", message, options);
  }
}

/** Python `TimeoutError` (asyncio / concurrent.futures timeouts). */
export class TimeoutError extends PythonError {
  constructor(message: string, options?: { cause?: unknown }) {
    super("TimeoutError", message, options);
  }
}
