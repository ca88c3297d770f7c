/** Report formats of `lmcache-connector check`. */
import type { ConformanceRun } from "../engine";
import { jsonReport } from "./json";
import { junitReport } from "./junit";
import { textReport } from "./text";

export { jsonReport, junitReport, textReport };

/** The formats `--format` accepts. */
export const REPORT_FORMATS = ["text", "json", "junit"] as const;
/** One of {@link REPORT_FORMATS}. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Renders `run` in `format` (`colour` only affects text). */
export function renderReport(run: ConformanceRun, format: ReportFormat, colour: boolean): string {
  if (format === "json") return jsonReport(run) + "\n";
  if (format === "junit") return junitReport(run) + "\n";
  return textReport(run, { colour });
}
