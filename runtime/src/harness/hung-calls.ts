/**
 * Hung connector calls in `run` and `bench` (ours): a call that did not settle within its
 * deadline, named by method ("put() did not settle within 10000 ms"), as the conformance suite
 * names them. LMCache bounds only get-type waits with `blocking_timeout_secs` (and pings with
 * `ping_timeout`); the kit also bounds put, exists and close with the same value so a connector
 * whose promise never settles fails the run instead of stalling it until the whole-run limit.
 */
import { callWithDeadline, DeadlineExceeded } from "../conformance/timeouts";

/** One method's hung calls: how many, and the deadline they missed. */
export interface HungCall {
  /** The connector method, as the kit names it (`put`, `get`, `batchedGet`, `exists`, `close`, …). */
  method: string;
  /** The deadline the calls missed (ms). */
  ms: number;
  /** How many calls of `method` missed it. */
  count: number;
  /** "`method`() did not settle within `ms` ms". */
  message: string;
}

/** The text a hung call is reported with (the same wording as the conformance suite's). */
export function hungCallMessage(method: string, ms: number): string {
  return `${method}() did not settle within ${ms} ms`;
}

/** Collects hung calls, one entry per method (so the list stays short however long the run). */
export class HungCallLog {
  private readonly byMethod = new Map<string, HungCall>();

  record(method: string, ms: number): void {
    const entry = this.byMethod.get(method);
    if (entry) entry.count++;
    else this.byMethod.set(method, { method, ms, count: 1, message: hungCallMessage(method, ms) });
  }

  /** Whether any call hung. */
  get any(): boolean {
    return this.byMethod.size > 0;
  }

  /** The entries, in the order the methods first hung. */
  list(): HungCall[] {
    return [...this.byMethod.values()].map((e) => ({ ...e }));
  }
}

/**
 * Calls `fn` under a `ms` deadline; on a miss records `method` in `log` and rejects with the
 * {@link DeadlineExceeded} naming it. `onLate` receives a value that arrives after the deadline
 * (to release an object nobody will use). A synchronous throw becomes a rejection.
 */
export function boundedCall<T>(log: HungCallLog, method: string, ms: number, fn: () => T | Promise<T>, onLate?: (late: T) => void): Promise<T> {
  let missed = false;
  let work: Promise<T>;
  try {
    work = Promise.resolve(fn());
  } catch (err) {
    work = Promise.reject(err);
  }
  if (onLate) work.then((value) => void (missed && onLate(value)), () => {});
  // `describe` runs when the timer fires, before the rejection: the miss is known at once.
  return callWithDeadline(() => work, ms, () => {
    missed = true;
    log.record(method, ms);
    return hungCallMessage(method, ms);
  });
}

export { DeadlineExceeded };
