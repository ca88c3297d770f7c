/**
 * The loader's own copy of the runtime's public API, handed to connectors that
 * `require("lmcache-connector-runtime")`. A namespace import is a live binding read only when a
 * connector is loaded, so the cycle index → loader → index is harmless in ESM and in esbuild's bundle.
 */
import * as runtimeIndex from "../index";

/** The default `runtimeExports` provider of `loadModule`. */
export function ownRuntimeExports(): object {
  return runtimeIndex;
}
