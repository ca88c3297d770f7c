/**
 * Keeps the runner's stdout a clean NDJSON stream (ours). Connector code may `console.log`, or
 * even write to `process.stdout` directly; both would corrupt the event stream. The guard keeps the
 * real stdout writer for events and turns every other write into a `log` event — so connector
 * output still reaches the user, in order, tagged with its level.
 */
import { format } from "node:util";
import type { RunnerEvent } from "./protocol";
import { encodeEvent } from "./protocol";

type Level = "debug" | "info" | "warning" | "error";

/** The event writer the runner uses after `installStdoutGuard`. */
export interface EventWriter {
  /** Writes one event to the real stdout. */
  emit(event: RunnerEvent): void;
  /** Run id stamped on redirected console output. */
  setRunId(runId: string): void;
  /** Resolves once everything written so far has been handed to the OS. */
  flush(): Promise<void>;
}

/** Redirects `console.*` and `process.stdout.write` to `log` events; returns the event writer. */
export function installStdoutGuard(): EventWriter {
  const realWrite = process.stdout.write.bind(process.stdout) as (chunk: string, cb?: () => void) => boolean;
  let runId = "pending";
  const emit = (event: RunnerEvent): void => void realWrite(encodeEvent(event));
  const log = (level: Level, message: string): void => {
    emit({ v: 1, type: "log", runId, level, message: message.replace(/\n$/, "") });
  };
  const levels: Array<[keyof Console, Level]> = [
    ["log", "info"],
    ["info", "info"],
    ["debug", "debug"],
    ["trace", "debug"],
    ["warn", "warning"],
    ["error", "error"],
  ];
  for (const [method, level] of levels) {
    (console as unknown as Record<string, unknown>)[method] = (...args: unknown[]) => log(level, format(...args));
  }
  process.stdout.write = ((chunk: unknown, encodingOrCb?: unknown, cb?: unknown): boolean => {
    const text = typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8");
    log("info", text);
    const done = typeof encodingOrCb === "function" ? encodingOrCb : cb;
    if (typeof done === "function") queueMicrotask(() => (done as () => void)());
    return true;
  }) as typeof process.stdout.write;
  return {
    emit,
    setRunId: (id) => void (runId = id),
    flush: () => new Promise<void>((resolve) => void realWrite("", () => resolve())),
  };
}
