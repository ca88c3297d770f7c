/**
 * How a dying runner tells its parent why (ours). Before it exits on a fatal condition (an
 * unhandled rejection or uncaught exception outside any case, connector code calling
 * `process.exit`), the runner writes one `fatal` line on the event channel; the parent turns it
 * into a `runner-crashed` event. A connector that bypasses all of this (`process.reallyExit`, a
 * signal) still leaves the exit code or signal, which the parent reports itself.
 */
import type { CrashReason } from "./protocol";

export type { CrashReason };

/** What the runner says about its own death. */
export interface FatalReport {
  reason: CrashReason;
  detail: string;
}

/** Exit code the runner uses after an unhandled rejection or uncaught exception. */
export const FATAL_EXIT_CODE = 70;

/** Text of an error or thrown value, with its stack when there is one. Never throws. */
export function describeThrown(value: unknown): string {
  try {
    if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
    return typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));
  } catch {
    try {
      return String(value);
    } catch {
      return "(a value that cannot be shown)";
    }
  }
}
