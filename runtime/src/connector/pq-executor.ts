/**
 * LMCache's `AsyncPQExecutor` (`storage_backend/job_executor/pq_executor.py`) and the
 * `asyncio.Lock` it is used with: a priority queue drained by `maxWorkers` (default 4) worker
 * loops, so up to four jobs are in flight at once; lower priority values run first, FIFO among
 * equals. Used by the mock and redis connectors, as upstream.
 */
import { RuntimeError } from "../errors";

interface Job {
  priority: number;
  seq: number;
  run: () => Promise<void>;
}

/**
 * `AsyncPQExecutor(loop, max_workers=4)`. `submit(priority, job)` resolves with the job's result
 * (or rejects with its error) once one of the workers has run it.
 *
 * Ours: after `shutdown()` a submit rejects with `RuntimeError` (upstream's would wait forever
 * on a queue nobody drains).
 */
export class AsyncPQExecutor {
  readonly maxWorkers: number;
  private readonly queue: Job[] = [];
  private seq = 0;
  private busy = 0;
  private closed = false;
  private idleWaiters: (() => void)[] = [];

  constructor(maxWorkers = 4) {
    this.maxWorkers = maxWorkers;
  }

  /** Jobs running right now (at most `maxWorkers`). */
  get running(): number {
    return this.busy;
  }

  /** Jobs waiting for a free worker. */
  get pending(): number {
    return this.queue.length;
  }

  submit<T>(priority: number, job: () => Promise<T>): Promise<T> {
    if (this.closed) return Promise.reject(new RuntimeError("AsyncPQExecutor is shut down"));
    return new Promise<T>((resolve, reject) => {
      this.enqueue({ priority, seq: this.seq++, run: () => job().then(resolve, reject) });
      this.dispatch();
    });
  }

  /**
   * `shutdown(wait=True)`: no new jobs; resolves once every queued and running job has finished
   * (upstream's sentinels carry the largest priority, so queued work drains first).
   */
  async shutdown(): Promise<void> {
    this.closed = true;
    if (this.busy === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Binary insertion by (priority, seq): what `asyncio.PriorityQueue` orders by. */
  private enqueue(job: Job): void {
    let lo = 0;
    let hi = this.queue.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const q = this.queue[mid]!;
      if (q.priority < job.priority || (q.priority === job.priority && q.seq < job.seq)) lo = mid + 1;
      else hi = mid;
    }
    this.queue.splice(lo, 0, job);
  }

  private dispatch(): void {
    while (this.busy < this.maxWorkers && this.queue.length > 0) {
      const job = this.queue.shift()!;
      this.busy++;
      void job.run().finally(() => {
        this.busy--;
        this.dispatch();
        if (this.busy === 0 && this.queue.length === 0) {
          for (const wake of this.idleWaiters.splice(0)) wake();
        }
      });
    }
  }
}

/** `asyncio.Lock`: one holder at a time, waiters served in arrival order. */
export class AsyncLock {
  private held = false;
  private readonly waiters: (() => void)[] = [];

  /** `async with lock:` — runs `body` while holding the lock. */
  async withLock<T>(body: () => Promise<T> | T): Promise<T> {
    await this.acquire();
    try {
      return await body();
    } finally {
      this.release();
    }
  }

  private acquire(): Promise<void> {
    if (!this.held) {
      this.held = true;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => this.waiters.push(resolve));
  }

  private release(): void {
    const next = this.waiters.shift();
    if (next) next();
    else this.held = false;
  }
}

/** `asyncio.Semaphore(n)`: at most `n` holders at once. */
export class AsyncSemaphore {
  private available: number;
  private readonly waiters: (() => void)[] = [];

  constructor(count: number) {
    this.available = count;
  }

  async withPermit<T>(body: () => Promise<T> | T): Promise<T> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiters.push(resolve));
    try {
      return await body();
    } finally {
      const next = this.waiters.shift();
      if (next) next();
      else this.available++;
    }
  }
}
