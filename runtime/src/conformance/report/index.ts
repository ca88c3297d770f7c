/** Report formats of `lmcache-connector check`. */
import { mapStrings, redactSecrets, redactStrings } from "../../connector/redact";
import { escapeControls } from "../../files/terminal-text";
import type { ConformanceRun } from "../engine";
import { jsonReport } from "./json";
import { junitReport } from "./junit";
import { textReport } from "./text";

export { jsonReport, junitReport, textReport };

/** The formats `--format` accepts. */
export const REPORT_FORMATS = ["text", "json", "junit"] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/**
 * Renders `run` in `format` (`colour` only affects text). Every format passes through the kit's
 * one redaction (`redactSecrets`): no URL's password (the run's or one inside a message) is written;
 * the text format also shows control bytes of the run's strings escaped (`escapeControls`).
 */
export function renderReport(run: ConformanceRun, format: ReportFormat, colour: boolean): string {
  // strings first (before JSON/XML escaping could hide a password from the scan), then the output
  const safe = redactStrings(run, [run.url]);
  if (format === "json") return redactSecrets(jsonReport(safe) + "\n", [run.url]);
  if (format === "junit") return redactSecrets(junitReport(safe) + "\n", [run.url]);
  // text goes to a terminal: control bytes in what the connector said (messages, reprs, output) are shown, not sent
  const text = textReport(mapStrings(safe, (s) => escapeControls(s)), { colour });
  return redactSecrets(text, [run.url]);
}
