/**
 * Deadlines for connector calls and whole cases (ours). Node cannot interrupt a hung promise, so a
 * deadline races the work against a timer: the run moves on and the stray promise is left to settle
 * (its rejection is swallowed) — a hanging connector fails its case, never the run.
 */

/** Raised when a case or a single connector call does not settle in time. */
export class DeadlineExceeded extends Error {
  readonly ms: number;
  constructor(message: string, ms: number) {
    super(message);
    this.name = "DeadlineExceeded";
    this.ms = ms;
  }
}

/** Default per-case timeout in milliseconds. */
export const DEFAULT_CASE_TIMEOUT_MS = 5000;

/** LMCache's default `ping_timeout` (extra_config, seconds → ms). */
export const LMCACHE_PING_TIMEOUT_MS = 5000;

/**
 * Resolves or rejects like `work`, or rejects with {@link DeadlineExceeded} (built by `describe`)
 * after `ms` milliseconds, whichever comes first. The timer never keeps the process alive.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, describe: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeadlineExceeded(describe(), ms)), ms);
    timer.unref?.();
  });
  // A late rejection of the losing promise must not surface as an unhandled rejection.
  work.catch(() => undefined);
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Runs `fn` (sync or async) under a deadline; a synchronous throw becomes a rejection. */
export function callWithDeadline<T>(fn: () => T | Promise<T>, ms: number, describe: () => string): Promise<T> {
  let work: Promise<T>;
  try {
    work = Promise.resolve(fn());
  } catch (err) {
    work = Promise.reject(err);
  }
  return withDeadline(work, ms, describe);
}
