/**
 * The TypeScript compiler API (8.9 MB), loaded on first use (ours): only linting TS/JS sources
 * needs its scanner and parser, so `check`, `run`, `--help` and every config-only lint start
 * without it.
 */
import type * as TS from "typescript";

let loaded: typeof TS | undefined;

/** Returns the `typescript` module, requiring it the first time. */
export function typescript(): typeof TS {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return (loaded ??= require("typescript") as typeof TS);
}
