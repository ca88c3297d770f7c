/**
 * How a dying runner tells its parent why (ours). The runner writes ONE line to stderr, starting
 * with `FATAL_MARKER`, followed by JSON `{reason, detail}`; the parent turns it into a
 * `runner-crashed` event. stderr is used because stdout may be half-written when the process dies
 * and because a connector that called `process.exit` leaves no time for anything else.
 */
export const FATAL_MARKER = "@@lmcache-connector-runner-fatal@@ ";

/** Why the runner went down, as reported in `runner-crashed.reason`. */
export type CrashReason = "exit" | "timeout" | "unhandled-rejection" | "killed";

export interface FatalReport {
  reason: CrashReason;
  detail: string;
}

/** Exit code the runner uses after an unhandled rejection or uncaught exception. */
export const FATAL_EXIT_CODE = 70;

export function encodeFatal(report: FatalReport): string {
  return FATAL_MARKER + JSON.stringify(report) + "\n";
}

/** Finds the fatal report in a chunk of runner stderr, or null. */
export function findFatal(stderrText: string): FatalReport | null {
  const at = stderrText.lastIndexOf(FATAL_MARKER);
  if (at < 0) return null;
  const end = stderrText.indexOf("\n", at);
  const json = stderrText.slice(at + FATAL_MARKER.length, end < 0 ? undefined : end);
  try {
    const value = JSON.parse(json) as FatalReport;
    return typeof value.reason === "string" && typeof value.detail === "string" ? value : null;
  } catch {
    return null;
  }
}

/** Text of an error or thrown value, with its stack when there is one. */
export function describeThrown(value: unknown): string {
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return typeof value === "string" ? value : JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
