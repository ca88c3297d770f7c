/**
 * Printing what came back from a runner (ours): every text that originated in the runner — a load
 * error, a crash detail, connector output, the URL — goes through the one redaction function
 * (`../connector/redact`) before it reaches the terminal, so a password in a URL is never echoed.
 */
import { redactSecrets } from "../connector/redact";
import { escapeControls } from "../files/terminal-text";
import { crashText, exitCodeOf, type RunnerRecord } from "../runner/verdict";
import type { CliIO } from "./command";

/** `text` with the password of `url`, and of any other URL in it, masked. */
export function redactText(text: string, url: string): string {
  return redactSecrets(text, [url]);
}

/** Prints a load error, a job refused by the kit, or a failure of the run; resolves to the exit code. */
export function printRunnerFailure(io: CliIO, command: string, url: string, record: RunnerRecord): number {
  const say = (text: string): void => io.stderr(redactText(text, url));
  if (record.loadError) {
    say(`lmcache-connector ${command}: could not load the connector at ${url}\n${record.loadError.errorName}: ${record.loadError.message}\n`);
  } else if (record.jobError) {
    say(`lmcache-connector ${command}: ${record.jobError.blame === "kit" ? "internal error of the kit (not your connector; please report it)" : "refused"}\n${record.jobError.errorName}: ${record.jobError.message}\n`);
  } else if (record.jobFailed) {
    say(`lmcache-connector ${command}: the run failed\n${record.jobFailed.errorName}: ${record.jobFailed.message}\n`);
  }
  for (const log of record.logs) if (log.level === "error") say(`LMCache ERROR: ${log.message.replace(/^[\w.]+: /, "")}\n`);
  printCrashAndOutput(io, command, url, record);
  return exitCodeOf(record);
}

/** Prints a crash (with the case in flight) and the connector's output, on stderr. */
export function printCrashAndOutput(io: CliIO, command: string, url: string, record: RunnerRecord): void {
  // Connector output may carry escape sequences: shown, never sent to the terminal.
  const say = (text: string): void => io.stderr(escapeControls(redactText(text, url)));
  for (const [caseId, out] of record.output) {
    for (const stream of ["stdout", "stderr"] as const) {
      const text = out[stream];
      if (text) say(`--- connector ${stream}${caseId ? ` during ${caseId}` : ""} ---\n${text.endsWith("\n") ? text : text + "\n"}`);
    }
  }
  if (record.crash) say(`lmcache-connector ${command}: ${crashText(record.crash)}\n`);
}
