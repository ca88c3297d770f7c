/**
 * Where the end-to-end tests find the repository, the code-server install and put their output.
 */
import * as path from "node:path";

/** The repository root (the extension's manifest lives here). */
export const REPO_ROOT = path.resolve(__dirname, "..", "..", "..");

/** Cache folder for code-server (`LMCACHE_E2E_CACHE`, default `<repo>/.cache/e2e`). */
export const E2E_CACHE = process.env.LMCACHE_E2E_CACHE ?? path.join(REPO_ROOT, ".cache", "e2e");

/** The test set-up: Debian packages and code-server, once (npm test's pretest and .ci/run run it). */
export const SETUP_SCRIPT = path.join(REPO_ROOT, "scripts", "setup-test-env.sh");

/** Screenshots of every step (gitignored). */
export const SCREENSHOT_DIR = path.join(REPO_ROOT, "test-results", "screenshots");

/** Server logs of each session (gitignored). */
export const LOG_DIR = path.join(REPO_ROOT, "test-results", "e2e-logs");

/** The README's screenshots (committed), refreshed only when `LMCACHE_E2E_README_SHOTS=1`. */
export const README_SCREENSHOT_DIR = path.join(REPO_ROOT, "docs", "screenshots");

/** Debian's Chromium, driven by playwright-core (no browser download). */
export const CHROMIUM = process.env.LMCACHE_E2E_CHROMIUM ?? "/usr/bin/chromium";
