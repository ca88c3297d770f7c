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
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
  error(message: string): void;
}

/** A logger named like LMCache's module loggers (e.g. `lmcache.v1.storage_backend.local_cpu_backend`). */
export function getLogger(name: string): Logger {
  const emit = (level: LogLevel, message: string): void => {
    const record: LogRecord = { level, logger: name, message, time: Date.now() };
    keep(record);
    sink?.(record);
  };
  return {
    debug: (m) => emit("debug", m),
    info: (m) => emit("info", m),
    warning: (m) => emit("warning", m),
    error: (m) => emit("error", m),
  };
}
