/**
 * A recording proxy around a connector (ours): every method call made by a case is appended to an
 * op log (name, summarised arguments, summarised result, duration), so a failure shows the exact
 * sequence that produced it. Calls still in flight are tracked, so a timeout can name the call that hung.
 */
import type { RecordedOp } from "./events";

/** Keeps the op log of one case. */
export class OpRecorder {
  readonly ops: RecordedOp[] = [];
  private readonly pending = new Map<number, { op: string; args: unknown[]; started: number }>();
  private nextId = 0;
  private closedReason: string | null = null;
  /** The last connector method that threw or rejected, for source locations. */
  lastFailedMethod: string | null = null;
  /** Most recent op names, newest last; used to point at the method of a failed expectation. */
  lastMethod: string | null = null;

  /** After this, every proxied call throws: a timed-out case must not keep driving the connector. */
  close(reason: string): void {
    this.closedReason = reason;
  }

  /** Calls still in flight, e.g. `get("model@1@0@2a@bfloat16") pending for 5003 ms`. */
  describePending(): string[] {
    const now = performance.now();
    return [...this.pending.values()].map(
      (p) => `${p.op}(${p.args.map((a) => JSON.stringify(a)).join(", ")}) pending for ${Math.round(now - p.started)} ms`,
    );
  }

  /** Names of methods still in flight. */
  pendingMethods(): string[] {
    return [...this.pending.values()].map((p) => p.op);
  }

  /** Wraps `target` so that calls to its methods are recorded. Non-function properties pass through. */
  wrap<T extends object>(target: T): T {
    const cache = new Map<PropertyKey, unknown>();
    return new Proxy(target, {
      get: (obj, prop, receiver) => {
        const value = Reflect.get(obj, prop, receiver);
        if (typeof value !== "function" || typeof prop !== "string" || prop === "constructor") return value;
        const known = cache.get(prop);
        if (known) return known;
        const fn = value as (...args: unknown[]) => unknown;
        const recorded = (...args: unknown[]): unknown => this.call(prop, () => fn.apply(obj, args), args);
        cache.set(prop, recorded);
        return recorded;
      },
    });
  }

  private call(op: string, invoke: () => unknown, rawArgs: unknown[]): unknown {
    if (this.closedReason !== null) throw new Error(`conformance case ended (${this.closedReason}); ${op}() not called`);
    const args = rawArgs.map(summarizeValue);
    const started = performance.now();
    this.lastMethod = op;
    let value: unknown;
    try {
      value = invoke();
    } catch (err) {
      this.lastFailedMethod = op;
      this.push(op, args, `threw ${describeError(err)}`, started);
      throw err;
    }
    if (!isThenable(value)) {
      this.push(op, args, summarizeValue(value) as string, started);
      return value;
    }
    const id = this.nextId++;
    this.pending.set(id, { op, args, started });
    return Promise.resolve(value).then(
      (v) => {
        this.pending.delete(id);
        this.push(op, args, summarizeResult(v), started);
        return v;
      },
      (err) => {
        this.pending.delete(id);
        this.lastFailedMethod = op;
        this.push(op, args, `rejected ${describeError(err)}`, started);
        throw err;
      },
    );
  }

  private push(op: string, args: unknown[], result: string, started: number): void {
    // Cap the log: a differential case can make thousands of calls; the last ones matter.
    if (this.ops.length >= 400) this.ops.splice(0, 100);
    this.ops.push({ op, args, result, ms: Math.round((performance.now() - started) * 100) / 100 });
  }
}

function isThenable(v: unknown): v is PromiseLike<unknown> {
  if (v === null || (typeof v !== "object" && typeof v !== "function")) return false;
  try {
    return typeof (v as { then?: unknown }).then === "function";
  } catch {
    // a `then` getter that throws (a revoked proxy): handed back unchanged, as the connector returned it
    return false;
  }
}

/**
 * `ValueError: bad thing` — the Python-style name LMCache would print. Never throws: a thrown
 * value the kit cannot turn into text (a null-prototype object, a throwing `name` or `message`
 * getter, a revoked proxy) is described as such, so the kit's own failure to print a value is
 * never reported instead of what the connector did.
 */
export function describeError(err: unknown): string {
  try {
    if (err instanceof Error) return `${err.name}: ${err.message}`;
    return String(err);
  } catch {
    return unprintable(err);
  }
}

/** What is shown for a value the kit cannot render (ours). */
function unprintable(v: unknown): string {
  let tag = "value";
  try {
    tag = Object.prototype.toString.call(v);
  } catch {
    /* a revoked proxy cannot even be tagged */
  }
  return `<unprintable ${tag}>`;
}

function looksLikeMemoryObj(v: object): v is { getSize(): number; getShape(): number[]; getDtype(): unknown } {
  return typeof (v as { getSize?: unknown }).getSize === "function" && typeof (v as { getShape?: unknown }).getShape === "function";
}

function looksLikeKey(v: object): v is { toString(): string } {
  return typeof (v as { toString?: unknown }).toString === "function" && "chunkHash" in v;
}

/**
 * A short, JSON-friendly rendering of an argument or result: key strings, object sizes, flags.
 * Never throws (see {@link describeError}): the op log must not change what the call returned.
 */
export function summarizeValue(v: unknown): unknown {
  try {
    return summarize(v);
  } catch {
    return unprintable(v);
  }
}

function summarize(v: unknown): unknown {
  if (v === null) return null;
  if (v === undefined) return "undefined";
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "symbol") return String(v);
  if (typeof v === "function") return `<function ${v.name || "(anonymous)"}>`;
  if (typeof v !== "object") return v;
  if (Array.isArray(v)) return v.length > 16 ? [...v.slice(0, 16).map(summarizeValue), `… ${v.length - 16} more`] : v.map(summarizeValue);
  if (looksLikeMemoryObj(v)) {
    let size = "?";
    try {
      size = String(v.getSize());
    } catch {
      /* invalidated object */
    }
    return `<MemoryObj ${size} B>`;
  }
  if (looksLikeKey(v)) return v.toString();
  return Object.prototype.toString.call(v);
}

/**
 * `JSON.stringify(v)` for a failure's expected/actual text, but never throwing (a BigInt, a cycle,
 * a throwing `toJSON`): falls back to the op log's summary, so an assertion on a connector's odd
 * value reports that value instead of the kit's TypeError.
 */
export function valueText(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return summarizeResult(v);
  }
}

function summarizeResult(v: unknown): string {
  const s = summarizeValue(v);
  if (typeof s === "string") return s;
  try {
    return JSON.stringify(s) ?? String(s);
  } catch {
    return unprintable(v);
  }
}
