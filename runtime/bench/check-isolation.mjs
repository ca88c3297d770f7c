// Side-by-side start-up benchmark of `check memory://` (ours, issue 10): the runner isolation
// (connector in a child process) must keep `check memory://` within 1.3 × the in-process CLI.
// Runs this tree's CLI and, when given, another tree's (e.g. a `git worktree` of the commit
// before) interleaved, one of each per round, beside `node -e 0`; prints medians and the ratio.
//
// Usage: node runtime/bench/check-isolation.mjs [--before /path/to/other/runtime/bin/lmcache-connector.js] [rounds=15]
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as path from "node:path";

const args = process.argv.slice(2);
const BIN = fileURLToPath(new URL("../bin/lmcache-connector.js", import.meta.url));
const beforeAt = args.indexOf("--before");
const BEFORE = beforeAt >= 0 ? args[beforeAt + 1] : undefined;
const ROUNDS = Number(args.find((a) => /^\d+$/.test(a)) ?? 15);
const check = (bin) => [bin, "check", "memory://", "--seed", "1"];
const CASES = [
  { name: "node -e 0", args: ["-e", "0"] },
  { name: "check memory://", args: check(BIN) },
  ...(BEFORE ? [{ name: "before: check memory://", args: check(BEFORE) }] : []),
];

function runOnce(c) {
  const t = performance.now();
  const r = spawnSync(process.execPath, c.args, { cwd: path.dirname(BIN), encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
  const ms = performance.now() - t;
  if (r.status !== 0) throw new Error(`${c.name} exited ${r.status}: ${(r.stderr || r.stdout).slice(0, 400)}`);
  return ms;
}
const median = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1; return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
const times = Object.fromEntries(CASES.map((c) => [c.name, []]));
for (const c of CASES) runOnce(c); // warm the OS file cache
for (let i = 0; i < ROUNDS; i++) for (const c of CASES) times[c.name].push(runOnce(c));
console.log(`check memory://, ${ROUNDS} interleaved rounds, node ${process.version}; wall ms per process`);
for (const c of CASES) {
  const xs = times[c.name];
  console.log(`${c.name.padEnd(24)} median ${median(xs).toFixed(0).padStart(5)} ms  (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`);
}
if (BEFORE) {
  const ratio = median(times["check memory://"]) / median(times["before: check memory://"]);
  console.log(`ratio after/before: ${ratio.toFixed(2)} (goal ≤ 1.30: ${ratio <= 1.3 ? "ok" : "NOT MET"})`);
}
