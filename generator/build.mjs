// Builds the generator: the yeoman entry points (`generators/*/index.js`, ESM, as `yo` expects),
// the shared renderer (`dist/render/index.{js,cjs}` for the VS Code extension), and packs the
// runtime into `vendor/` so generated projects install it without the registry.
import { build } from "esbuild";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { vendorRuntime } from "./scripts/vendor-runtime.mjs";

const here = dirname(fileURLToPath(import.meta.url));
const common = { bundle: true, platform: "node", target: "node20", logLevel: "warning", sourcemap: true };

for (const name of ["app", "connector"]) {
  await build({
    ...common,
    entryPoints: [join(here, `src/generators/${name}.ts`)],
    outfile: join(here, `generators/${name}/index.js`),
    format: "esm",
    external: ["yeoman-generator"],
  });
}
await build({ ...common, entryPoints: [join(here, "src/render/index.ts")], outfile: join(here, "dist/render/index.js"), format: "esm" });
await build({ ...common, entryPoints: [join(here, "src/render/index.ts")], outfile: join(here, "dist/render/index.cjs"), format: "cjs", logOverride: { "empty-import-meta": "silent" } });

// `npm pack` of the runtime, built just before by the root `build` script (so not rebuilt here).
vendorRuntime({ build: false });
