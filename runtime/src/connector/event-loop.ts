/**
 * The kit's stand-in for the asyncio event loop LMCache hands every connector as `loop`
 * (ours, not LMCache's). In LMCache the loop runs in its own thread and the engine reaches it
 * with `asyncio.run_coroutine_threadsafe`; Node has one thread, so here the "loop" is the Node
 * event loop itself and this object only offers the few calls connector code makes on `loop`:
 * start a background task, run blocking work "in an executor", and know whether it is closed.
 */
import { RuntimeError } from "../errors";

/** What `createTask` / `runInExecutor` accept: a promise, or a function returning a value or promise. */
export type TaskSource<T> = Promise<T> | (() => T | Promise<T>);

/**
 * A tiny event-loop façade. Tasks are ordinary promises; the loop tracks the ones still running
 * so that `close()` can wait for them (like cancelling/awaiting tasks before `loop.close()`).
 */
export class EventLoop {
  private readonly pending = new Set<Promise<unknown>>();
  private closed = false;

  /**
   * asyncio `loop.create_task(coro)`: starts `task` and returns its promise. A rejection is
   * still delivered to whoever awaits the returned promise; the loop itself never throws it.
   * Throws `RuntimeError("Event loop is closed")` after `close()` (asyncio's text).
   */
  createTask<T>(task: TaskSource<T>): Promise<T> {
    this.assertOpen();
    const promise = typeof task === "function" ? Promise.resolve().then(task) : task;
    this.track(promise);
    return promise;
  }

  /**
   * asyncio `loop.run_in_executor(None, fn, *args)`: runs `fn` on a later turn of the event loop
   * (there is no thread pool; blocking work still blocks Node's one thread) and resolves with
   * its result. LMCache's FS connector uses this for O_DIRECT reads.
   */
  runInExecutor<T, A extends unknown[]>(fn: (...args: A) => T | Promise<T>, ...args: A): Promise<T> {
    this.assertOpen();
    const promise = new Promise<T>((resolve, reject) => {
      setImmediate(() => {
        try {
          resolve(fn(...args));
        } catch (error) {
          reject(error);
        }
      });
    });
    this.track(promise);
    return promise;
  }

  /** asyncio `loop.is_closed()`. */
  isClosed(): boolean {
    return this.closed;
  }

  /** Number of tasks started through this loop that have not settled yet. */
  pendingTasks(): number {
    return this.pending.size;
  }

  /** Waits until every task started so far has settled (rejections are not rethrown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) {
      await Promise.allSettled([...this.pending]);
    }
  }

  /** Refuses new tasks, then waits for the running ones to settle. A second call is harmless. */
  async close(): Promise<void> {
    this.closed = true;
    await this.drain();
  }

  private assertOpen(): void {
    if (this.closed) throw new RuntimeError("Event loop is closed");
  }

  private track(promise: Promise<unknown>): void {
    this.pending.add(promise);
    const forget = (): void => {
      this.pending.delete(promise);
    };
    promise.then(forget, forget);
  }
}
