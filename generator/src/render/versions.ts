/**
 * The checked-in version table (ours): every dependency a generated project gets, pinned exactly,
 * so generation is deterministic and never asks the registry. The versions match the repository's
 * own lockfile, which is why `npm install --prefer-offline` in a generated project is served from
 * the npm cache that the repository's `npm ci` filled (a test keeps the two in step).
 */
export const VERSIONS = {
  /** `lmcache-connector-runtime`, shipped with the generator as `vendor/lmcache-connector-runtime-<ver>.tgz`. */
  runtime: "0.1.0",
  typescript: "5.9.3",
  vitest: "4.1.12",
  "@types/node": "20.19.43",
  /** node-redis, the `redis` template's client. */
  redis: "6.3.1",
} as const;

/** Name of the runtime package connectors import. */
export const RUNTIME_PACKAGE = "lmcache-connector-runtime";

/** File name of the packed runtime (`npm pack` output) inside `vendor/`. */
export const RUNTIME_TARBALL = `${RUNTIME_PACKAGE}-${VERSIONS.runtime}.tgz`;

/** Where the generated project keeps the packed runtime, relative to its root. */
export const RUNTIME_TARBALL_PATH = `vendor/${RUNTIME_TARBALL}`;
