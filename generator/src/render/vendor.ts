/**
 * Where the packed runtime ships (ours). The generator's build runs `npm pack` on `runtime/` into
 * `generator/vendor/`; generated projects get a copy in their own `vendor/` and depend on it with a
 * `file:` reference, so installing them never asks the registry for the runtime. This is the one
 * module of the renderer that touches the file system.
 */
import { existsSync, readFileSync } from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { RUNTIME_TARBALL } from "./versions.js";

/** Candidate `vendor/` folders: next to the built bundle (`dist/render`, `generators/*`) or the sources. */
function vendorDirs(here: string): string[] {
  return [path.resolve(here, "../../vendor"), path.resolve(here, "../vendor"), path.resolve(here, "../../../vendor")];
}

/** Path of the packed runtime shipped with the generator; throws with a hint when it was not built. */
export function vendoredRuntimePath(fromDir?: string): string {
  const here = fromDir ?? (typeof __dirname === "string" ? __dirname : path.dirname(fileURLToPath(import.meta.url)));
  for (const dir of vendorDirs(here)) {
    const candidate = path.join(dir, RUNTIME_TARBALL);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`${RUNTIME_TARBALL} was not found next to the generator: run \`npm run build\` at the repository root (it packs runtime/ into generator/vendor/).`);
}

/** The packed runtime's bytes. */
export function vendoredRuntimeTarball(fromDir?: string): Uint8Array {
  return readFileSync(vendoredRuntimePath(fromDir));
}
