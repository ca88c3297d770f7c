/**
 * Attributing unhandled promise rejections to the conformance case that left them (ours; LMCache
 * has no counterpart). While installed, the trap takes over `process`'s `unhandledRejection`
 * listeners: a rejection that surfaces while a window is open (a case, or the engine's load probe)
 * is recorded there; any other rejection goes to the listeners that were installed before — so a
 * host like the runner process still reports it as `runner-crashed` — or, when there were none, is
 * rethrown as Node's default would. `uninstall()` puts the previous listeners back.
 *
 * Node reports a rejection only once the current macrotask ends, so a window must stay open across
 * one turn of the event loop (see `yieldToEventLoop`) to see the rejections made inside it.
 * Installations must be nested (uninstalled in reverse order); one per process is the normal case.
 */
import type { SourceLocation } from "./events";
import { describeError } from "./recording-proxy";

type RejectionListener = (reason: unknown, promise: Promise<unknown>) => void;

/** Lets the event loop run one turn (timers, I/O, and Node's unhandled-rejection processing). */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Text of a rejection reason for a case message: `Name: message`, or the value. */
export function describeRejection(reason: unknown): string {
  return describeError(reason);
}

/** The first stack frame of `reason` inside `file` (1-based line and column), when there is one. */
export function locationInStack(reason: unknown, file: string | null): SourceLocation | undefined {
  if (!file || !(reason instanceof Error) || typeof reason.stack !== "string") return undefined;
  for (const line of reason.stack.split("\n")) {
    const at = line.lastIndexOf(file + ":");
    if (at < 0) continue;
    const m = /^:(\d+):(\d+)/.exec(line.slice(at + file.length));
    if (m) return { file, line: Number(m[1]), column: Number(m[2]) };
  }
  return undefined;
}

/** Collects the unhandled rejections of one process while installed; see the module comment. */
export class RejectionTrap {
  private previous: RejectionListener[] = [];
  private window: unknown[] | null = null;
  private installed = false;
  private readonly listener: RejectionListener = (reason, promise) => {
    if (this.window) {
      this.window.push(reason);
      return;
    }
    if (this.previous.length === 0) throw reason; // what Node does without a listener
    for (const l of this.previous) l.call(process, reason, promise);
  };

  /** Replaces the process's `unhandledRejection` listeners with the trap's. */
  install(): void {
    if (this.installed) return;
    this.previous = process.listeners("unhandledRejection") as RejectionListener[];
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", this.listener);
    this.installed = true;
  }

  /** Removes the trap and restores the listeners it replaced. */
  uninstall(): void {
    if (!this.installed) return;
    process.removeListener("unhandledRejection", this.listener);
    for (const l of this.previous) process.on("unhandledRejection", l);
    this.previous = [];
    this.window = null;
    this.installed = false;
  }

  /** Starts recording rejections (into a fresh list). */
  open(): void {
    this.window = [];
  }

  /** Stops recording and returns what was recorded since `open()`. */
  close(): unknown[] {
    const seen = this.window ?? [];
    this.window = null;
    return seen;
  }
}
