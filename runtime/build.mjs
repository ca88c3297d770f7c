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
