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

/** Longest delay Node's timers honour (2^31 − 1 ms); longer ones fire after 1 ms. */
export const MAX_TIMER_MS = 0x7fffffff;

// Captured when the kit loads, before any connector code: a connector that replaces
// `Promise.race`, `setTimeout` or `Promise.prototype.then` cannot switch its own deadlines off.
const realSetTimeout = setTimeout;
const realClearTimeout = clearTimeout;
const RealPromise = Promise;
const realThen = Promise.prototype.then;

/**
 * Resolves or rejects like `work`, or rejects with {@link DeadlineExceeded} (built by `describe`)
 * after `ms` milliseconds, whichever comes first. The timer keeps the process alive while it is
 * pending: a connector whose promise never settles must fail its deadline, not let Node's event
 * loop drain and end the process with the verdict still pending.
 */
export function withDeadline<T>(work: Promise<T>, ms: number, describe: () => string): Promise<T> {
  const delay = Math.min(Math.max(1, ms), MAX_TIMER_MS);
  return new RealPromise<T>((resolve, reject) => {
    const timer = realSetTimeout(() => reject(new DeadlineExceeded(describe(), ms)), delay);
    // A late rejection of the losing promise is swallowed (it must not surface as unhandled).
    realThen.call(
      work,
      (value: T) => {
        realClearTimeout(timer);
        resolve(value);
      },
      (err: unknown) => {
        realClearTimeout(timer);
        reject(err);
      },
    );
  });
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
