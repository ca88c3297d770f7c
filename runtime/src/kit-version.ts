/**
 * The version of lmcache-connector-runtime (ours), from its package.json; esbuild inlines the
 * `version` field at build time, so the bundles need no package.json next to them.
 *
 * The one module that imports the JSON: connector projects type-check the runtime's sources (its
 * `types` point at `src/`) with their own tsconfig, which need not allow JSON modules.
 */
// @ts-ignore -- resolveJsonModule is on here, but maybe not in a connector project that type-checks this file
import { version } from "../package.json";

/** The runtime's version, e.g. "0.1.0". */
export const KIT_VERSION: string = version;
