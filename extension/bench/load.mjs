// What the extension's bundles cost the extension host when they load (run by hand, never a timed
// test): each round is a fresh Node process that requires dist/extension.js (with a stub `vscode`),
// then the lint core, lints a YAML file (TypeScript must stay unloaded), then a TypeScript file (the
// first one loads dist/typescript.js) and a second one. Medians over the rounds, beside the bundle
// sizes.
//   node extension/bench/load.mjs [--dist DIR] [--rounds N]
// DIR defaults to the repository's dist/ (`node extension/build.mjs --production` for the figures
// of the .vsix, or point it at an installed extension's dist/).
import { execFileSync } from "node:child_process";
import { readdirSync, statSync, writeFileSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const args = process.argv.slice(2);
const arg = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const dist = path.resolve(arg("--dist", path.join(root, "dist")));
const rounds = Number(arg("--rounds", "9"));

const scratch = mkdtempSync(path.join(tmpdir(), "lmcache-load-bench-"));
const stub = path.join(scratch, "vscode.js");
writeFileSync(stub, "module.exports = {};");
const probe = `
const Module = require("module");
const resolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) { return request === "vscode" ? ${JSON.stringify(stub)} : resolve.call(this, request, ...rest); };
const dist = ${JSON.stringify(dist)};
const tsLoaded = () => Object.keys(require.cache).some((k) => k.endsWith("typescript.js"));
const time = (f) => { const t = performance.now(); f(); return performance.now() - t; };
let core;
const out = {
  "extension.js": time(() => require(dist + "/extension.js")),
  "lint-core.js": time(() => { core = require(dist + "/lint-core.js"); }),
  "first YAML lint": time(() => core.lintDocument({ path: "/tmp/a.yaml", text: 'remote_url: "External://h:0/p.c/?connector_name=C"\\n' }, { cwd: "/tmp" })),
};
if (tsLoaded()) throw new Error("TypeScript was loaded before any TS/JS source was linted");
out["first TS lint (loads typescript.js)"] = time(() => core.lintDocument({ path: "/tmp/a.ts", text: 'const u = "External://h:0/p.c/?connector_name=C";\\n' }, { cwd: "/tmp" }));
out["next TS lint"] = time(() => core.lintDocument({ path: "/tmp/b.ts", text: 'const v = "External://h:0/p.c/?connector_name=D";\\n' }, { cwd: "/tmp" }));
process.stdout.write(JSON.stringify(out));
`;

const samples = {};
const empty = [];
for (let i = 0; i < rounds; i++) {
  let t = performance.now();
  execFileSync(process.execPath, ["-e", "0"]);
  empty.push(performance.now() - t);
  const result = JSON.parse(execFileSync(process.execPath, ["-e", probe], { cwd: scratch, encoding: "utf8", env: { ...process.env, NODE_PATH: "" } }));
  for (const [k, v] of Object.entries(result)) (samples[k] ??= []).push(v);
}
rmSync(scratch, { recursive: true, force: true });

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
console.log(`bundles in ${path.relative(process.cwd(), dist) || "."}:`);
for (const f of readdirSync(dist).filter((f) => f.endsWith(".js"))) console.log(`  ${f.padEnd(24)} ${(statSync(path.join(dist, f)).size / 1024).toFixed(0).padStart(6)} KB`);
console.log(`load costs, median (min–max) of ${rounds} fresh processes:`);
for (const [k, xs] of Object.entries(samples)) console.log(`  ${k.padEnd(38)} ${median(xs).toFixed(1).padStart(7)} ms  (${range(xs)})`);
console.log(`  ${"(node -e 0, whole process)".padEnd(38)} ${median(empty).toFixed(1).padStart(7)} ms  (${range(empty)})`);
