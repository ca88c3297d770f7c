/**
 * Lazy access to the pure lint core (runtime/src/lint). The core pulls in the TypeScript scanner,
 * which is large, so it is loaded on first use rather than at activation: the bundler turns this
 * dynamic import into a lazily initialised module, keeping activation cheap.
 */
import type * as LintModule from "./core-entry.js";

/** The lint core's API, as the extension uses it. */
export type LintCore = typeof LintModule;

let loading: Promise<LintCore> | undefined;

/** Loads the lint core once; later calls return the same module. */
export function loadLintCore(): Promise<LintCore> {
  loading ??= import("./core-entry.js");
  return loading;
}
