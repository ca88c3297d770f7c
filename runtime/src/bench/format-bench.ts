/** Text rendering of a bench report (ours). */
import { redactedJson, redactSecrets } from "../connector/redact";
import { bytes, latencyRow } from "../harness/format-report";
import type { BenchReport } from "./run-bench";

/** The text report of a bench run; URLs' passwords redacted (`redactSecrets`). */
export function formatBenchReport(r: BenchReport): string {
  const v = r.verification;
  return redactSecrets([
    `Benchmark of ${r.connector} (${r.url})`,
    `  ${r.rounds} rounds after ${r.warmupRounds} warm-up, ${r.keysPerRound} keys/round, ${bytes(r.payloadBytes)} payload, ${r.inflight} in flight, hit rate ${r.hitRate}`,
    "",
    `  store   ${r.store.MBps.toFixed(1).padStart(9)} MB/s ${r.store.opsPerSec.toFixed(0).padStart(8)} ops/s`,
    `  lookup  ${"".padStart(9)}      ${r.lookup.opsPerSec.toFixed(0).padStart(8)} ops/s   observed hit rate ${r.lookup.observedHitRate.toFixed(3)}`,
    `  load    ${r.load.MBps.toFixed(1).padStart(9)} MB/s ${r.load.opsPerSec.toFixed(0).padStart(8)} ops/s`,
    `  memcpy  ${r.memcpyMBps.toFixed(1).padStart(9)} MB/s   (Buffer.copy of the same payload, this run)`,
    "",
    "Latency",
    latencyRow("store", r.store.latency),
    latencyRow("lookup", r.lookup.latency),
    latencyRow("load", r.load.latency),
    "",
    `Verification (round ${v.round}): ${v.passed ? "passed" : "FAILED"} — ${v.checkedKeys} objects checked, ${v.mismatches} byte mismatches, ${v.missing} missing, ${v.lookupMismatches} wrong lookups`,
  ].join("\n"), [r.url]);
}

/** The `--format json` report of a bench run (ours): the report object, every string in it redacted. */
export function benchReportJson(r: BenchReport): string {
  return redactedJson(r, [r.url]);
}
