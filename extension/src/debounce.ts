/** Per-key debouncing (one pending timer per document or file). */

/** Runs the latest callback for a key once `delayMs` has passed without another call for that key. */
export class KeyedDebouncer<K> {
  private readonly timers = new Map<K, ReturnType<typeof setTimeout>>();

  constructor(private readonly delayMs: number) {}

  /** (Re)starts the timer for `key`. */
  schedule(key: K, run: () => void): void {
    this.cancel(key);
    this.timers.set(key, setTimeout(() => {
      this.timers.delete(key);
      run();
    }, this.delayMs));
  }

  /** Drops the pending call for `key`, if any. */
  cancel(key: K): void {
    const timer = this.timers.get(key);
    if (timer !== undefined) clearTimeout(timer);
    this.timers.delete(key);
  }

  /** True when a call for `key` is pending. */
  isPending(key: K): boolean {
    return this.timers.has(key);
  }

  /** Cancels every pending call. */
  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
