/**
 * A small logger in the shape of LMCache's `init_logger(__name__)`. Records are kept in memory
 * (bounded) so tests and the conformance engine can assert on warnings such as LMCache's
 * "Double free" or deprecation messages; printing is opt-in through `setLogSink`.
 *
 * Levels as in LMCache: the threshold comes from `LMCACHE_LOG_LEVEL` (DEBUG, INFO, WARNING,
 * ERROR, CRITICAL; unknown or unset → INFO), and a record below it is neither kept nor sent to
 * the sink. Callers on hot paths ask `isEnabledFor("debug")` before formatting a message, as
 * Python code does with `logger.isEnabledFor(logging.DEBUG)`. `setLogLevel` is ours.
 */
import { redactSecrets } from "./connector/redact";

export type LogLevel = "debug" | "info" | "warning" | "error";

export interface LogRecord {
  level: LogLevel;
  logger: string;
  message: string;
  time: number;
}

export type LogSink = (record: LogRecord) => void;

/** Python's numeric levels (`logging.DEBUG` = 10 …). */
const LEVEL_NUMBERS: Record<LogLevel, number> = { debug: 10, info: 20, warning: 30, error: 40 };
/** The names `getattr(logging, name)` accepts for LMCACHE_LOG_LEVEL. */
const ENV_LEVELS: Record<string, number> = { NOTSET: 0, DEBUG: 10, INFO: 20, WARN: 30, WARNING: 30, ERROR: 40, FATAL: 50, CRITICAL: 50 };

/** LMCache's `get_log_level()`: `LMCACHE_LOG_LEVEL` upper-cased, INFO (20) when unset or unknown. */
export function lmcacheLogLevel(env: Record<string, string | undefined> = typeof process === "object" ? process.env : {}): number {
  return ENV_LEVELS[(env.LMCACHE_LOG_LEVEL ?? "INFO").toUpperCase()] ?? 20;
}

let threshold = lmcacheLogLevel();

/**
 * Sets the level below which records are dropped (ours; LMCache reads only the environment);
 * returns the previous threshold as a number, which `setLogLevel` also accepts back.
 */
export function setLogLevel(level: LogLevel | "critical" | number): number {
  const previous = threshold;
  threshold = typeof level === "number" ? level : level === "critical" ? 50 : LEVEL_NUMBERS[level];
  return previous;
}

/** Whether a record of `level` would be kept and sent to the sink now (`Logger.isEnabledFor`). */
export function isLogLevelEnabled(level: LogLevel): boolean {
  return LEVEL_NUMBERS[level] >= threshold;
}

const MAX_RECORDS = 10_000;
/** A ring of the newest records: `next` is where the next one goes once the ring is full. */
const records: LogRecord[] = [];
let next = 0;
let sink: LogSink | null = null;

/** Send every log record to `newSink` as well (pass `null` to stop). Returns the previous sink. */
export function setLogSink(newSink: LogSink | null): LogSink | null {
  const previous = sink;
  sink = newSink;
  return previous;
}

/** Records kept since the last `clearLogRecords()`, oldest first. */
export function getLogRecords(): readonly LogRecord[] {
  return records.length < MAX_RECORDS ? records.slice() : [...records.slice(next), ...records.slice(0, next)];
}

export function clearLogRecords(): void {
  records.length = 0;
  next = 0;
}

/** Keeps the newest MAX_RECORDS records in constant time per record (logging sits on per-operation paths). */
function keep(record: LogRecord): void {
  if (records.length < MAX_RECORDS) {
    records.push(record);
    return;
  }
  records[next] = record;
  next = (next + 1) % MAX_RECORDS;
}

export interface Logger {
  /** Python's `logger.isEnabledFor(level)`: check before building an expensive message. */
  isEnabledFor(level: LogLevel): boolean;
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A logger named like LMCache's module loggers (e.g. `lmcache.v1.storage_backend.local_cpu_backend`). */
export function getLogger(name: string): Logger {
  const emit = (level: LogLevel, message: string): void => {
    if (LEVEL_NUMBERS[level] < threshold) return;
    // ours: no record (kept or sent to the sink) carries a URL's password; cheap without an "@"
    const record: LogRecord = { level, logger: name, message: redactSecrets(message), time: Date.now() };
    keep(record);
    sink?.(record);
  };
  return {
    isEnabledFor: isLogLevelEnabled,
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warning: (m) => emit("warning", m),
    error: (m) => emit("error", m),
  };
}
