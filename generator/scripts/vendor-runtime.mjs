#!/usr/bin/env node
// Refreshes generator/vendor/ with the kit's current runtime (ours): `npm pack` of ../runtime
// (its `prepack` builds it first), replacing any older tarball. Generated projects copy this
// tarball into their own vendor/ and install it from there, so they need no registry for it.
//   npm run vendor-runtime               build the runtime, then pack it
//   node scripts/vendor-runtime.mjs --no-build   pack runtime/dist as it is (the root build
//                                        has just built it)
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const vendor = join(here, "..", "vendor");
const runtime = join(here, "..", "..", "runtime");

/** Packs the runtime into `vendor/`; returns the tarball's file name. */
export function vendorRuntime({ build = true } = {}) {
  mkdirSync(vendor, { recursive: true });
  for (const old of readdirSync(vendor)) if (old.endsWith(".tgz")) rmSync(join(vendor, old));
  const args = ["pack", "--json", "--pack-destination", vendor, ...(build ? [] : ["--ignore-scripts"])];
  const out = execFileSync("npm", args, { cwd: runtime, encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });
  // npm prints the prepack build's output before the JSON on stdout.
  return JSON.parse(out.slice(out.indexOf("[")))[0].filename;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const name = vendorRuntime({ build: !process.argv.includes("--no-build") });
  console.log(`vendor/${name}`);
}
