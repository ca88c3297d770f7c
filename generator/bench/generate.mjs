// Benchmark (ours): time to generate a project, installs excluded. Prints, per template, the
// median of a few runs, for TypeScript and Python projects, of (a) the pure renderer alone and (b) a full in-process yeoman run
// (`lmcache-connector:app --yes --skip-install`, files written to disk). Target: < 2 s.
// Usage: node generator/bench/generate.mjs   (after `npm run build`)
import { mkdtempSync, rmSync } from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { createEnv } from "yeoman-environment";

const here = path.dirname(fileURLToPath(import.meta.url));
const { renderProject } = await import(path.join(here, "../dist/render/index.js"));
const APP = path.join(here, "../generators/app/index.js");
const RUNS = 5;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const TARGET_MS = 2000;
let worst = 0;

const ROWS = ["typescript", "python"].flatMap((language) => ["memory", "fs", "redis"].map((template) => ({ language, template })));

for (const { language, template } of ROWS) {
  const answers = { language, name: `bench-${template}`, template, capabilities: ["batched", "ping", "removeSync"] };
  const renderMs = [];
  for (let i = 0; i < RUNS; i++) {
    const t0 = performance.now();
    renderProject(answers);
    renderMs.push(performance.now() - t0);
  }
  const yoMs = [];
  for (let i = 0; i < RUNS; i++) {
    const dir = mkdtempSync(path.join(os.tmpdir(), "lmcache-gen-bench-"));
    const t0 = performance.now();
    const env = createEnv({ cwd: dir, skipInstall: true, force: true });
    env.register(APP, { namespace: "lmcache-connector:app" });
    await env.run(["lmcache-connector:app"], { language, name: answers.name, template, capabilities: answers.capabilities.join(","), yes: true, skipInstall: true, force: true });
    yoMs.push(performance.now() - t0);
    rmSync(dir, { recursive: true, force: true });
  }
  worst = Math.max(worst, median(yoMs));
  console.log(`${language.padEnd(10)} ${template.padEnd(7)} render ${median(renderMs).toFixed(2)} ms   yeoman run (write to disk) ${median(yoMs).toFixed(1)} ms   (median of ${RUNS})`);
}
console.log(`generate a project: ${worst.toFixed(1)} ms worst median, target < ${TARGET_MS} ms: ${worst < TARGET_MS ? "OK" : "TOO SLOW"}`);
process.exitCode = worst < TARGET_MS ? 0 : 1;
