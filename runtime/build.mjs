// Bundles the runtime library and CLI with esbuild. Type-checking is `tsc --noEmit` at the root.
import { build } from "esbuild";

const common = {
  bundle: true,
  platform: "node",
  target: "node20",
  format: "cjs",
  sourcemap: true,
  // src/ ships in the package, so the maps point at it instead of embedding it (the packed runtime
  // is 1.6 MB instead of 2.8 MB; it ships inside the .vsix, whose budget is 6 MB).
  sourcesContent: false,
  // esbuild compiles user connectors at run time, so it stays a real dependency, not bundled;
  // typescript (the linter's scanner/parser) is large, so it is loaded from node_modules too.
  external: ["esbuild", "typescript"],
  logLevel: "warning",
};

await build({ ...common, entryPoints: ["src/index.ts"], outfile: "dist/index.js" });
await build({ ...common, entryPoints: ["src/cli/main.ts"], outfile: "dist/cli.js" });
await build({ ...common, entryPoints: ["src/runner/runner-main.ts"], outfile: "dist/runner.js" });

// The native shared mapping (runtime/native/src/shm_map.c, Node-API only): the Python bridge's
// zero-copy path. Optional by design: without a C compiler or Node's headers the bridge copies
// payloads through the file instead (same verdicts, slower), so a failed build only warns.
await buildNativeMapping();

async function buildNativeMapping() {
  const { execFileSync } = await import("node:child_process");
  const { existsSync, mkdirSync, statSync } = await import("node:fs");
  const path = await import("node:path");
  if (process.platform !== "linux" && process.platform !== "darwin") return;
  const source = path.join("native", "src", "shm_map.c");
  const outDir = path.join("native", "prebuilds", `${process.platform}-${process.arch}`);
  const out = path.join(outDir, "lmcache_kit_shm.node");
  if (existsSync(out) && statSync(out).mtimeMs >= statSync(source).mtimeMs) return;
  const headerDirs = [process.env.npm_config_nodedir, path.join(path.dirname(process.execPath), ".."), "/usr", "/usr/local"]
    .filter(Boolean)
    .map((d) => path.join(d, "include", "node"));
  const include = headerDirs.find((d) => existsSync(path.join(d, "node_api.h")));
  const skip = (why) => console.warn(`lmcache-connector-runtime: native shared mapping not built (${why}); the Python bridge will copy payloads`);
  if (!include) return skip(`no node_api.h in ${headerDirs.join(", ")}`);
  mkdirSync(outDir, { recursive: true });
  const args = ["-O2", "-Wall", "-Werror", "-shared", "-fPIC", "-DNODE_GYP_MODULE_NAME=lmcache_kit_shm", "-DNAPI_VERSION=8", `-I${include}`, "-o", out, source];
  if (process.platform === "darwin") args.unshift("-undefined", "dynamic_lookup");
  try {
    execFileSync(process.env.CC || "cc", args, { stdio: ["ignore", "ignore", "pipe"] });
  } catch (err) {
    skip(String(err.stderr || err.message).trim().split("\n")[0]);
  }
}
