/** Text rendering of a bench report (ours). */
import { redactedJson, redactSecrets } from "../connector/redact";
import { escapeControls } from "../files/terminal-text";
import { bytes, hungCallsLine, latencyRow } from "../harness/format-report";
import type { BenchReport } from "./run-bench";

/** The text report of a bench run; URLs' passwords redacted (`redactSecrets`). */
export function formatBenchReport(r: BenchReport): string {
  const v = r.verification;
  const ofFresh = (mbps: number): string => (r.memcpyFreshMBps > 0 ? `${((100 * mbps) / r.memcpyFreshMBps).toFixed(0)} % of a fresh copy` : "");
  const queued = r.inflight > 1 ? `${r.inflight} in flight: includes waiting behind the other operations in flight` : "one at a time";
  // a terminal report: the connector's repr and texts cannot send control bytes (escapeControls)
  return escapeControls(redactSecrets([
    `Benchmark of ${r.connector} (${r.url})`,
    `  ${r.rounds} rounds after ${r.warmupRounds} warm-up, ${r.keysPerRound} keys/round, ${bytes(r.payloadBytes)} payload, ${r.inflight} in flight, hit rate ${r.hitRate}`,
    r.steadyState ? "  steady state: every round stores the same keys, so measured puts overwrite" : "  every round stores new keys (add --steady-state to overwrite instead)",
    "",
    `  store   ${r.store.MBps.toFixed(1).padStart(9)} MB/s ${r.store.opsPerSec.toFixed(0).padStart(8)} ops/s   ${ofFresh(r.store.MBps)}`,
    `  lookup  ${"".padStart(9)}      ${r.lookup.opsPerSec.toFixed(0).padStart(8)} ops/s   observed hit rate ${r.lookup.observedHitRate.toFixed(3)}`,
    `  load    ${r.load.MBps.toFixed(1).padStart(9)} MB/s ${r.load.opsPerSec.toFixed(0).padStart(8)} ops/s`,
    `  memcpy  ${r.memcpyFreshMBps.toFixed(1).padStart(9)} MB/s   fresh: into a new buffer of the payload's size each time (what a store pays)`,
    `  memcpy  ${r.memcpyMBps.toFixed(1).padStart(9)} MB/s   hot: Buffer.copy into the same buffer each time (cache-resident when it fits)`,
    "  (timed windows hold only the connector calls: payload generation and byte verification are outside)",
    "",
    `Latency (${queued})`,
    latencyRow("store", r.store.latency),
    latencyRow("lookup", r.lookup.latency),
    latencyRow("load", r.load.latency),
    ...(r.inflight > 1
      ? ["", "Latency (one at a time, a serial pass after the rounds)", latencyRow("store", r.serialLatency.store), latencyRow("lookup", r.serialLatency.lookup), latencyRow("load", r.serialLatency.load)]
      : []),
    "",
    `Verification (round ${v.round}): ${v.passed ? "passed" : "FAILED"} — ${v.checkedKeys} objects checked, ${v.mismatches} byte mismatches, ${v.missing} missing, ${v.lookupMismatches} wrong lookups`,
    hungCallsLine(r.hungCalls),
  ].join("\n"), [r.url]));
}

/** The `--format json` report of a bench run (ours): the report object, every string in it redacted. */
export function benchReportJson(r: BenchReport): string {
  return redactedJson(r, [r.url]);
}
