#!/usr/bin/env node
// Runs the generator without `yo` (ours): `node generator/run-generator.mjs [app|connector] [options]`.
// Same options as `yo lmcache-connector[:connector]`; works where `yo` refuses to run (as root).
// `--version` prints the generator's version and the runtime version it vendors.
import { createEnv } from "yeoman-environment";
import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
if (args[0] === "--version" || args[0] === "-V") {
  const { name, version } = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
  let files = [];
  try { files = readdirSync(join(here, "vendor")); } catch { /* not built */ }
  const vendored = files.map((f) => /^lmcache-connector-runtime-(.+)\.tgz$/.exec(f)?.[1]).find(Boolean);
  console.log(`${name} ${version}\nlmcache-connector-runtime ${vendored ?? "not vendored (run npm run vendor-runtime)"} (vendored)`);
  process.exit(0);
}
const sub = args[0] === "connector" || args[0] === "app" ? args.shift() : "app";
const env = createEnv();
env.register(join(here, "generators/app/index.js"), { namespace: "lmcache-connector:app" });
env.register(join(here, "generators/connector/index.js"), { namespace: "lmcache-connector:connector" });
try {
  await env.run([`lmcache-connector:${sub}`, ...args]);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
