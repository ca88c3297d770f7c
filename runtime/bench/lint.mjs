// Linter speed figures (a benchmark, not a timed test): first lint, unchanged re-lint and
// one-line-edit re-lint of a 10,000-line YAML config, a 10,000-line TS file (~100 connector
// URLs) and a 10,000-line Python source (1,000 connector classes checked in the file, 100 URLs),
// each the MEDIAN of N runs, printed beside the targets.
// Needs `npm run build -w runtime` first. Usage: node runtime/bench/lint.mjs [runs=31] [coldRuns=5]
//
// "first" is measured in fresh child processes (cold JIT, cold parser and module caches: what an
// editor sees when it opens the file); "first (warm)" in this process after clearing the linter's
// caches. The machine is shared: run it several times and look at the medians, not single runs.
import { createRequire } from "node:module";
import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const { lintDocument, forgetDocument, clearModuleAnalysisCache } = require("../dist/index.js");

const url = "external://h:0/pkg.conn/?connector_name=Good";
const CONNECTOR = 'import { RemoteConnector } from "lmcache-connector-runtime";\nexport class Good extends RemoteConnector { async exists() { return false; } existsSync() { return false; } async get() { return null; } async put() {} async list() { return []; } async close() {} }\n';

function yamlText(edit) {
  const lines = [];
  for (let i = 0; i < 3330; i++) lines.push(`key_${i}:`, `  nested: "value ${i}"`, i % 100 === 0 ? `  url: "redis://h:${i}"` : `# comment ${i}`);
  lines.push(`remote_url: "${url}"`);
  if (edit) lines[5000] = `key_edit: "${edit}"`;
  return lines.join("\n") + "\n";
}
function tsText(edit) {
  const lines = [];
  for (let i = 0; i < 10000; i++) lines.push(i % 100 === 0 ? `export const u${i} = "${url}";` : `export function f${i}(x: number) { return x + ${i}; } // c`);
  if (edit) lines[5000] = `export const edited = "${edit}";`;
  return lines.join("\n") + "\n";
}
// A Python source: 1,000 connector classes of 10 lines (each checked in the file: method kinds, MRO).
function pyText(edit) {
  const lines = ["from lmcache.v1.storage_backend.connector.base_connector import RemoteConnector"];
  for (let i = 0; i < 1000; i++) {
    lines.push(
      `class Conn${i}(RemoteConnector):`, "    def __init__(self, loop, local_cpu_backend, config):", "        super().__init__(config, local_cpu_backend.metadata)",
      "    async def exists(self, key): return False", "    def exists_sync(self, key): return False", "    async def get(self, key): return None",
      "    async def put(self, key, obj): pass", "    async def list(self): return []",
      i % 10 === 0 ? `    URL = "${url}"` : "    async def close(self): pass", "",
    );
  }
  if (edit) lines[5000] = `    edited = "${edit}"`;
  return lines.join("\n") + "\n";
}
const CASES = { YAML: { make: yamlText, file: "big.yaml" }, TS: { make: tsText, file: "big.ts" }, PY: { make: pyText, file: "big.py" } };

function workspace() {
  const ws = fs.mkdtempSync(path.join(os.tmpdir(), "lint-bench-"));
  fs.mkdirSync(path.join(ws, "pkg"));
  fs.writeFileSync(path.join(ws, "pkg", "conn.ts"), CONNECTOR);
  return ws;
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
function timeOnce(fn) {
  const t = performance.now();
  fn();
  return performance.now() - t;
}

// Child mode: one cold first lint, printed as a number.
if (process.argv[2] === "--first") {
  const { make, file } = CASES[process.argv[3]];
  const ws = workspace();
  const text = make(null);
  const ms = timeOnce(() => lintDocument({ path: path.join(ws, file), text }, { cwd: ws, env: {} }));
  fs.rmSync(ws, { recursive: true, force: true });
  process.stdout.write(String(ms));
  process.exit(0);
}

const runs = Number(process.argv[2] ?? 31);
const coldRuns = Number(process.argv[3] ?? 5);
const self = fileURLToPath(import.meta.url);
const ws = workspace();
const ctx = { cwd: ws, env: {} };
const fmt = (ms) => ms.toFixed(2).padStart(7);

console.log(`median of ${runs} runs (cold first lint: median of ${coldRuns} fresh processes); ${os.cpus().length} cores, load ${os.loadavg()[0].toFixed(1)}`);
for (const [name, { make, file }] of Object.entries(CASES)) {
  const p = path.join(ws, file);
  const base = make(null);
  const cold = [];
  for (let i = 0; i < coldRuns; i++) cold.push(Number(execFileSync(process.execPath, [self, "--first", name], { encoding: "utf8" })));
  const warmFirst = [];
  for (let i = 0; i < Math.min(runs, 7); i++) {
    forgetDocument(p);
    clearModuleAnalysisCache();
    warmFirst.push(timeOnce(() => lintDocument({ path: p, text: base }, ctx)));
  }
  const unchanged = [];
  for (let i = 0; i < runs; i++) unchanged.push(timeOnce(() => lintDocument({ path: p, text: base }, ctx)));
  // texts built outside the timing: each differs from the previous one in one line
  const texts = Array.from({ length: runs }, (_, i) => make(`edit ${i}`));
  const edited = texts.map((text) => timeOnce(() => lintDocument({ path: p, text }, ctx)));
  const lines = base.split("\n").length - 1;
  console.log(`${name.padEnd(4)} ${lines} lines: first (cold) ${fmt(median(cold))} ms | first (warm) ${fmt(median(warmFirst))} ms | unchanged ${fmt(median(unchanged))} ms (target < 20) | one-line edit ${fmt(median(edited))} ms (target < 5)`);
}
fs.rmSync(ws, { recursive: true, force: true });
