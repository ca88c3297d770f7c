/**
 * The misbehaving-connector probes of issue 10, as data: each names a probe connector (under
 * runtime/test/fixtures/misbehaving/), the cases to run, and what an honest verdict looks like.
 * Shared by the CLI probe tests (text, json, junit) and the runner probe test.
 */
import { spawn } from "node:child_process";
import { randomUUID } from "node:crypto";
import { PROBES } from "./bundles";

export interface Probe {
  module: string;
  cases: string;
  /** CLI exit code: 1 a case failed, 3 crashed or hung. */
  code: 1 | 3;
  /** Text that must appear in the report or on stderr (the cause, named). */
  cause: RegExp;
  /** The case that must be reported as failed (the case in flight, for a crash). */
  failedCase?: string;
  /** Extra environment for the run. */
  env?: Record<string, string>;
  /** `--strict-cases` globs: an advisory case (LMCache does not rely on it) fails only under them. */
  strict?: string;
  /** How long the whole CLI may take (ms). */
  withinMs: number;
}

const T = 400; // --timeout-ms of every probe: single calls get 200 ms
const HANG = 2000; // the CLI's hang limit for --timeout-ms 400 (twice the timeout, at least 2 s)
const QUICK = 6000; // node start-up twice, compiling the probe, a few cases — on a loaded machine

export const TIMEOUT_MS = T;

export const PROBE_LIST: Probe[] = [
  { module: "get_never_settles", cases: "roundtrip.4kib", code: 1, cause: /get\(\) did not settle within 200 ms/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "put_never_settles", cases: "roundtrip.4kib", code: 1, cause: /put\(\) did not settle within 200 ms/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "exists_never_settles", cases: "miss.exists-false", code: 1, cause: /exists\(\) did not settle within 200 ms/, failedCase: "miss.exists-false", withinMs: QUICK },
  // list() is advisory (RemoteBackend never calls it): a hanging list() fails under --strict-cases only
  { module: "list_never_settles", cases: "list.every-key-once", strict: "list.*", code: 1, cause: /list\(\) did not settle within 200 ms/, failedCase: "list.every-key-once", withinMs: QUICK },
  { module: "close_never_settles", cases: "lifecycle.close-twice", code: 1, cause: /close\(\) did not settle within 200 ms/, failedCase: "lifecycle.close-twice", withinMs: QUICK },
  { module: "exists_sync_loops", cases: "exists.sync-agrees", code: 3, cause: /event loop was blocked for more than 2000 ms/, failedCase: "exists.sync-agrees", withinMs: QUICK + HANG },
  // Output postpones the hang verdict (the runner writes it blocking) but only for a while: the CLI's
  // case limit (2 × 400 + 5000 ms) or the hang watchdog (at most 4 hang limits of grace) ends it.
  { module: "prints_forever", cases: "roundtrip.4kib", code: 3, cause: /event loop was blocked for more than 2000 ms|case roundtrip\.4kib did not finish within 5800 ms/, failedCase: "roundtrip.4kib", withinMs: QUICK + 5 * HANG },
  { module: "constructor_loops", cases: "roundtrip.4kib", code: 3, cause: /event loop was blocked for more than 2000 ms outside any case/, withinMs: QUICK + HANG },
  { module: "exit_zero", cases: "roundtrip.4kib", code: 3, cause: /process\.exit\(0\) called by connector code/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "exit_three", cases: "roundtrip.4kib", code: 3, cause: /process\.exit\(3\) called by connector code/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "really_exit", cases: "roundtrip.4kib", code: 3, cause: /exited with code 0 before the run finished/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "sigsegv", cases: "roundtrip.4kib", code: 3, cause: /\(crashed, signal SIGSEGV\)/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "heap_exhaustion", cases: "roundtrip.4kib", code: 3, cause: /\(crashed, signal SIGABRT\).*V8 ran out of heap memory|V8 ran out of heap memory/s, failedCase: "roundtrip.4kib", env: { NODE_OPTIONS: "--max-old-space-size=40" }, withinMs: QUICK + 4000 },
  { module: "rejection_now", cases: "roundtrip.4kib", code: 1, cause: /unhandled promise rejection: Error: forgotten rejection from put/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "rejection_later", cases: "roundtrip.4kib", code: 3, cause: /after the job finished, the connector left an unhandled promise rejection: Error: forgotten rejection after close/, withinMs: QUICK },
  { module: "timer_exception", cases: "roundtrip.4kib", code: 3, cause: /uncaught exception: Error: boom in a timer/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "console_spam", cases: "roundtrip.4kib", code: 1, cause: /0 spam spam/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "raw_fd1_forged", cases: "roundtrip.4kib,roundtrip.one-byte", code: 1, cause: /raw bytes without a newline/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "inherit_helper", cases: "roundtrip.4kib", code: 1, cause: /roundtrip\.4kib/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "patched_globals", cases: "roundtrip.4kib", code: 1, cause: /roundtrip\.4kib/, failedCase: "roundtrip.4kib", withinMs: QUICK },
  { module: "live_socket", cases: "roundtrip.4kib", code: 1, cause: /put\(\) did not settle within 200 ms/, failedCase: "roundtrip.4kib", withinMs: QUICK },
];

/** What one CLI run produced. */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
  /** The marker in the environment of every process the run started. */
  tag: string;
}

/** The marker's variable name. */
export const TAG = "LMCACHE_PROBE_TAG";

/** Runs `node cli args…` in the probes folder, with a fresh marker. */
export function runCli(cli: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const tag = randomUUID();
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [cli, ...args], { cwd: PROBES, env: { ...process.env, NO_COLOR: "1", [TAG]: tag, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (b: Buffer) => out.push(b));
    child.stderr.on("data", (b: Buffer) => err.push(b));
    child.on("close", (code) => resolve({ code, stdout: Buffer.concat(out).toString("utf8"), stderr: Buffer.concat(err).toString("utf8"), ms: Date.now() - started, tag }));
  });
}
