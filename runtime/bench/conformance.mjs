// Conformance wall time (ours): the full default suite against memory:// (target < 2 s), then a
// single case re-run in the warm process (target < 200 ms). Imports runtime/dist.
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const t0 = performance.now();
const rt = require("../dist/index.js");
const run = (cases) => rt.runConformance({ url: "memory://", cwd: process.cwd(), onEvent: () => {}, ...(cases ? { cases } : {}) });
const full = await run();
const fullMs = performance.now() - t0;
const one = full.results?.[0]?.id ?? "roundtrip.4kib";
const t1 = performance.now();
const single = await run([one]);
const singleMs = performance.now() - t1;
const report = { fullMs, fullSummary: full.summary, fullTargetMs: 2000, singleCase: one, singleMs, singleSummary: single.summary, singleTargetMs: 200 };
if (process.argv.includes("--json")) console.log(JSON.stringify(report, null, 2));
else {
  console.log(`full suite against memory:// : ${fullMs.toFixed(0)} ms (target < 2000) ${fullMs < 2000 ? "ok" : "ABOVE TARGET"} — ${JSON.stringify(full.summary)}`);
  console.log(`single case '${one}' warm    : ${singleMs.toFixed(1)} ms (target < 200) ${singleMs < 200 ? "ok" : "ABOVE TARGET"} — ${JSON.stringify(single.summary)}`);
}
