/** Text rendering of a harness report (ours). */
import { redactedJson, redactSecrets } from "../connector/redact";
import { escapeControls } from "../files/terminal-text";
import type { LatencySummary } from "./latency";
import type { HungCall } from "./hung-calls";
import { referencesClean, type HarnessReport } from "./run-harness";

export const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;
export const ms = (x: number): string => (x < 1 ? `${(x * 1000).toFixed(0)} µs` : `${x.toFixed(2)} ms`);

/** Human byte count (binary units). */
export function bytes(n: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}

/** The "Hung calls" line of a run or bench report (shared by both). */
export function hungCallsLine(calls: readonly HungCall[]): string {
  if (calls.length === 0) return "Hung calls: none";
  return `Hung calls: ${calls.map((c) => `${c.message}${c.count > 1 ? ` (${c.count} calls)` : ""}`).join("; ")} — FAILED`;
}

export function latencyRow(name: string, l: LatencySummary): string {
  return `  ${name.padEnd(7)} n=${String(l.count).padEnd(6)} p50 ${ms(l.p50Ms).padEnd(10)} p90 ${ms(l.p90Ms).padEnd(10)} p99 ${ms(l.p99Ms)}`;
}

/** The health line: the older model's pings and blackhole swaps, or the newer model's checks and policy. */
function healthLine(r: HarnessReport): string {
  const h = r.health;
  const failures = h.events.filter((e) => !e.healthy).length;
  if (h.model === "remote_monitor") return `Health (RemoteMonitor, older LMCache): ${h.pings} pings, ${failures} fallbacks to blackhole`;
  const effect = h.fallbackPolicy === "local_cpu" ? `${h.bypassedRequests} requests bypassed the remote` : `${h.skippedRequests} requests skipped every cache operation`;
  const last = [...h.events].reverse().find((e) => !e.healthy) as { reason?: string } | undefined;
  return `Health (HealthMonitor, fallback_policy ${h.fallbackPolicy}): ${h.pings} checks, ${failures} failures, ${effect}${last?.reason ? ` (last: ${last.reason})` : ""}`;
}

/** The text report of a run; URLs' passwords redacted (`redactSecrets`). */
export function formatHarnessReport(r: HarnessReport): string {
  const c = r.chunks;
  const leaksOk = referencesClean(r);
  // a terminal report: the connector's repr and texts cannot send control bytes (escapeControls)
  return escapeControls(redactSecrets([
    `Local-cache run of ${r.connector} (${r.url})`,
    `  ${r.requestsRun === r.requests ? r.requests : `${r.requestsRun} of ${r.requests}`} requests, seed ${r.seed}, chunk ${r.chunkSize} tokens = ${bytes(r.chunkBytes)}, CPU cache ${r.maxLocalCpuSize} GB, ${(r.ms / 1000).toFixed(2)} s`,
    "",
    "Hit rates (chunks looked up: " + c.lookedUp + ")",
    `  local   ${pct(r.hitRates.local).padStart(6)}  (${c.localHits})`,
    `  remote  ${pct(r.hitRates.remote).padStart(6)}  (${c.remoteHits})`,
    `  miss    ${pct(c.lookedUp ? c.misses / c.lookedUp : 0).padStart(6)}  (${c.misses}; ${c.stored} stored)`,
    "",
    "Remote latency",
    latencyRow("get", r.latency.get),
    latencyRow("put", r.latency.put),
    latencyRow("exists", r.latency.exists),
    "",
    `Bytes: ${bytes(r.bytes.written)} written, ${bytes(r.bytes.read)} read remotely, ${bytes(r.bytes.localRead)} read from CPU`,
    `Evictions: ${r.evictions}   allocation failures: ${r.allocationFailures}   corrupt chunks: ${r.corruptChunks}`,
    ...(r.remoteStore ? [`Remote store evictions: ${r.remoteStore.evictions} (${bytes(r.remoteStore.evictedBytes)}); holding ${bytes(r.remoteStore.bytes)} of ${bytes(r.remoteStore.capacityBytes)}`] : []),
    `Remote errors: ${r.remote.putFailures} put, ${r.remote.getFailures} get, ${r.remote.getTimeouts} get timeouts, ${r.remote.containsFailures} exists; ${r.remote.dedupedPuts} duplicate puts skipped`,
    healthLine(r),
    `Paths: ${Object.entries(r.paths).map(([p, n]) => `${p} ×${n}`).join(", ") || "none"}; remove: ${r.removes.removed} of ${r.removes.attempted} removed${r.removes.stillFound ? `, ${r.removes.stillFound} still found after remove` : ""}`,
    ...(r.backendErrors.length ? [`RemoteBackend raised: ${r.backendErrors.map((e) => `${e.method}: ${e.errorName}: ${e.message}${e.count > 1 ? ` (${e.count} times)` : ""}`).join("; ")} — FAILED (LMCache raises this into the serving engine)`] : []),
    hungCallsLine(r.hungCalls),
    `Reference leaks: ${leaksOk ? "none" : "FOUND"} (${r.leaks.leakedObjects} leaked objects,${r.leaks.heldByHungPuts ? ` ${r.leaks.heldByHungPuts} held by hung puts,` : ""} ${r.leaks.unexpectedRefCounts} entries with ref count ≠ 1, ${r.leaks.doubleFrees} double frees; ${r.leaks.liveObjectsAtEnd} live objects for ${r.leaks.cpuCacheEntries} cached chunks)`,
  ].join("\n"), [r.url]));
}

/** The `--format json` report of a run (ours): the report object, every string in it redacted. */
export function harnessReportJson(r: HarnessReport): string {
  return redactedJson(r, [r.url]);
}
