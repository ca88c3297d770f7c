/**
 * The background loop both harness health models run (ours: LMCache runs each in a daemon thread
 * that sleeps `ping_interval` between rounds). A round starts `intervalMs()` (read each time)
 * after the previous one settled, so rounds never overlap; timers are unref'd, so the loop never
 * keeps Node alive. `round` should not reject: a rejection surfaces as an unhandled rejection (as
 * it did when each monitor had its own copy of this loop).
 */
export class PeriodicLoop {
  private timer: NodeJS.Timeout | null = null;
  private stopped = true;

  constructor(
    private readonly intervalMs: () => number,
    private readonly round: () => Promise<unknown>,
  ) {}

  /** Schedules the first round one interval from now. */
  start(): void {
    this.stopped = false;
    this.schedule();
  }

  /** Cancels the next round; one already running finishes but schedules no other. */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => void this.round().finally(() => this.schedule()), this.intervalMs());
    this.timer.unref();
  }
}
