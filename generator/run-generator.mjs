#!/usr/bin/env node
// Runs the generator without `yo` (ours): `node generator/run-generator.mjs [app|connector] [options]`.
// Same options as `yo lmcache-connector[:connector]`; works where `yo` refuses to run (as root).
import { createEnv } from "yeoman-environment";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
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
