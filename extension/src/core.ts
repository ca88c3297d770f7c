/**
 * Lazy access to the pure lint core (runtime/src/lint), loaded on first use rather than at
 * activation: the bundler turns this dynamic import into a `require` of the separate
 * dist/lint-core.js. The TypeScript scanner is a second, later step: it loads only when a TS/JS
 * source is first scanned (see core-entry.ts).
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
