/**
 * A small logger in the shape of LMCache's `init_logger(__name__)`. Records are kept in memory
 * (bounded) so tests and the conformance engine can assert on warnings such as LMCache's
 * "Double free" or deprecation messages; printing is opt-in through `setLogSink`.
 */
export type LogLevel = "debug" | "info" | "warning" | "error";

export interface LogRecord {
  level: LogLevel;
  logger: string;
  message: string;
  time: number;
}

export type LogSink = (record: LogRecord) => void;

const MAX_RECORDS = 10_000;
const records: LogRecord[] = [];
let sink: LogSink | null = null;

/** Send every log record to `newSink` as well (pass `null` to stop). Returns the previous sink. */
export function setLogSink(newSink: LogSink | null): LogSink | null {
  const previous = sink;
  sink = newSink;
  return previous;
}

/** Records kept since the last `clearLogRecords()`, oldest first. */
export function getLogRecords(): readonly LogRecord[] {
  return records;
}

export function clearLogRecords(): void {
  records.length = 0;
}

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A logger named like LMCache's module loggers (e.g. `lmcache.v1.storage_backend.local_cpu_backend`). */
export function getLogger(name: string): Logger {
  const emit = (level: LogLevel, message: string): void => {
    const record: LogRecord = { level, logger: name, message, time: Date.now() };
    if (records.length >= MAX_RECORDS) records.shift();
    records.push(record);
    sink?.(record);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warning: (m) => emit("warning", m),
    error: (m) => emit("error", m),
  };
}
