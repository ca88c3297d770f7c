/** Report formats of `lmcache-connector check`. */
import { redactSecrets, redactStrings } from "../../connector/redact";
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
 * one redaction (`redactSecrets`): no URL's password (the run's or one inside a message) is written.
 */
export function renderReport(run: ConformanceRun, format: ReportFormat, colour: boolean): string {
  // strings first (before JSON/XML escaping could hide a password from the scan), then the output
  const safe = redactStrings(run, [run.url]);
  const text = format === "json" ? jsonReport(safe) + "\n" : format === "junit" ? junitReport(safe) + "\n" : textReport(safe, { colour });
  return redactSecrets(text, [run.url]);
}
