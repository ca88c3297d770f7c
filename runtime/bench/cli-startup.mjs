// CLI start-up benchmark (ours): wall time of `node -e 0` beside `lmcache-connector --help`,
// `--version` and `check memory://`, each a fresh process, run interleaved (one of each per
// round) so all four see the same machine load. Prints median, min and max of N rounds and each
// median's ratio to `node -e 0`. Runs runtime/bin (run `npm run build -w runtime` first).
//
// Usage: node runtime/bench/cli-startup.mjs [rounds=15] [--json] [--compare LABEL=PATH/TO/bin/lmcache-connector.js]
// Goals (issue 11): --help < 2 × node -e 0; check memory:// < 0.6 s. `--compare` adds another
// build's CLI (e.g. an older commit's, from `git archive`) to the same interleaved rounds.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const BIN = fileURLToPath(new URL("../bin/lmcache-connector.js", import.meta.url));
const argv = process.argv.slice(2);
const ROUNDS = Number(argv.find((a) => /^\d+$/.test(a)) ?? 15);
const compareAt = argv.indexOf("--compare");
const other = compareAt >= 0 ? /^([^=]+)=(.+)$/.exec(argv[compareAt + 1] ?? "") : null;
if (compareAt >= 0 && !other) throw new Error("--compare needs LABEL=PATH/TO/bin/lmcache-connector.js");
const CASES = [
  { name: "node -e 0", args: ["-e", "0"], okCodes: [0] },
  { name: "--help", args: [BIN, "--help"], okCodes: [0] },
  { name: "--version", args: [BIN, "--version"], okCodes: [0] },
  { name: "check memory://", args: [BIN, "check", "memory://", "--seed", "1"], okCodes: [0] },
  ...(other
    ? [
        { name: `${other[1]} --help`, args: [path.resolve(other[2]), "--help"], okCodes: [0] },
        { name: `${other[1]} check memory://`, args: [path.resolve(other[2]), "check", "memory://", "--seed", "1"], okCodes: [0] },
      ]
    : []),
];

// CPU time (user + sys, the process and the children it waited for) via GNU time when present: on
// a loaded machine it moves far less than wall time, so both are printed.
const GNU_TIME = existsSync("/usr/bin/time") ? "/usr/bin/time" : null;
const CPU_MARK = "@@cpu ";

function runOnce(c) {
  const t = performance.now();
  const [cmd, args] = GNU_TIME ? [GNU_TIME, ["-f", `${CPU_MARK}%U %S`, process.execPath, ...c.args]] : [process.execPath, c.args];
  const r = spawnSync(cmd, args, { cwd: path.dirname(BIN), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - t;
  if (!c.okCodes.includes(r.status)) throw new Error(`${c.name} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  const cpu = GNU_TIME ? /@@cpu ([\d.]+) ([\d.]+)/.exec(r.stderr) : null;
  return { ms, cpuMs: cpu ? (Number(cpu[1]) + Number(cpu[2])) * 1000 : NaN };
}

const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const times = Object.fromEntries(CASES.map((c) => [c.name, []]));
const cpu = Object.fromEntries(CASES.map((c) => [c.name, []]));
for (const c of CASES) runOnce(c); // warm the OS file cache
for (let i = 0; i < ROUNDS; i++) {
  for (const c of CASES) {
    const r = runOnce(c);
    times[c.name].push(r.ms);
    cpu[c.name].push(r.cpuMs);
  }
}

const base = median(times["node -e 0"]);
const cpuBase = median(cpu["node -e 0"]);
const report = CASES.map((c) => {
  const xs = times[c.name];
  return { name: c.name, medianMs: median(xs), minMs: Math.min(...xs), maxMs: Math.max(...xs), ratioToNode: median(xs) / base, cpuMedianMs: median(cpu[c.name]), cpuRatioToNode: median(cpu[c.name]) / cpuBase };
});
if (process.argv.includes("--json")) console.log(JSON.stringify({ rounds: ROUNDS, node: process.version, report }, null, 2));
else {
  console.log(`CLI start-up, ${ROUNDS} interleaved rounds, node ${process.version}; wall ms per process`);
  for (const r of report) {
    const cpuText = Number.isNaN(r.cpuMedianMs) ? "" : `   cpu median ${r.cpuMedianMs.toFixed(0).padStart(4)} ms  ${r.cpuRatioToNode.toFixed(2)} ×`;
    console.log(`${r.name.padEnd(24)} median ${r.medianMs.toFixed(0).padStart(4)} ms  (min ${r.minMs.toFixed(0)}, max ${r.maxMs.toFixed(0)})  ${r.ratioToNode.toFixed(2)} × node -e 0${cpuText}`);
  }
  const help = report.find((r) => r.name === "--help"), check = report.find((r) => r.name === "check memory://");
  console.log(`goals: --help < 2 × node -e 0: ${help.ratioToNode < 2 ? "ok" : "NOT MET"}; check memory:// < 600 ms: ${check.medianMs < 600 ? "ok" : "NOT MET"}`);
}
