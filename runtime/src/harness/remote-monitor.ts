/**
 * The old `RemoteMonitor` (`lmcache/v1/storage_backend/remote_monitor.py`, PR #764): when the
 * connector `supportPing()`, every `ping_interval` seconds (extra_config, default 30) it runs
 * `ping()` bounded by `ping_timeout` (default 5). 0 is healthy; any other code unhealthy; a
 * timeout counts as -1 and an exception as -2. While unhealthy the backend's connection is swapped
 * for a blackhole (everything misses, puts are dropped); when ping is healthy again the real
 * connection comes back. With no connection at all it retries `initConnection()` each interval.
 * "Healthy" is Python's `error_code == 0`, so `False` and `0.0` are healthy too. This is the
 * older era; the newer HealthMonitor / `fallback_policy` design is `./health-check`.
 */
import { getLogger } from "../logging";
import { PeriodicLoop } from "./periodic-loop";
import type { RemoteBackend } from "./remote-backend";
import { blackholeFallback, type RemoteConnection } from "./remote-connection";

const logger = getLogger("lmcache.v1.storage_backend.remote_monitor");

/** Ping error codes used by LMCache's monitor. */
export const PING_TIMEOUT_CODE = -1;
export const PING_ERROR_CODE = -2;

/** Python's `error_code == 0`: `0`, `-0`, `0.0` and `False` are healthy; `None`, `"0"` are not. */
export function pingCodeHealthy(code: unknown): boolean {
  return code === 0 || code === false;
}

export interface RemoteMonitorOptions {
  /** Seconds between pings (`extra_config["ping_interval"]`, default 30). */
  pingIntervalSecs: number;
  /** Seconds before a ping counts as -1 (`extra_config["ping_timeout"]`, default 5). */
  pingTimeoutSecs: number;
}

/** One health transition, for reports. */
export interface HealthEvent {
  atMs: number;
  healthy: boolean;
  code: number;
}

/** Pings a backend's connector in the background and falls back to a blackhole while unhealthy. */
export class RemoteMonitor {
  /** The real connection while the blackhole stands in for it. */
  private parked: RemoteConnection | null = null;
  private readonly loop: PeriodicLoop;
  private readonly started = Date.now();
  readonly events: HealthEvent[] = [];
  pings = 0;

  constructor(
    private readonly backend: RemoteBackend,
    private readonly opts: RemoteMonitorOptions,
  ) {
    this.loop = new PeriodicLoop(() => this.opts.pingIntervalSecs * 1000, () => this.tick());
  }

  /** Whether the blackhole fallback is in place. */
  get inFallback(): boolean {
    return this.parked !== null;
  }

  /** Starts the background loop (timers are unref'd: the monitor never keeps Node alive). */
  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One monitor round (exposed for tests). Returns the ping code, or null when no ping ran. */
  async tick(): Promise<number | null> {
    const real = this.parked ?? this.backend.connection;
    if (!real) {
      await this.backend.initConnection();
      return null;
    }
    if (!real.supportPing()) return null;
    const raw = await this.ping(real);
    this.pings++;
    const healthy = pingCodeHealthy(raw);
    const code = typeof raw === "number" ? raw : healthy ? 0 : PING_ERROR_CODE;
    if (!healthy && !this.parked) {
      logger.warning(`Remote connection is unhealthy (ping code ${code}); falling back to the blackhole connector`);
      this.parked = real;
      this.backend.connection = blackholeFallback();
      this.events.push({ atMs: Date.now() - this.started, healthy, code });
    } else if (healthy && this.parked) {
      logger.info("Remote connection is healthy again; switching back from the blackhole connector");
      this.backend.connection = this.parked;
      this.parked = null;
      this.events.push({ atMs: Date.now() - this.started, healthy, code });
    }
    return code;
  }

  private ping(connection: RemoteConnection): Promise<unknown> {
    return new Promise<unknown>((resolve) => {
      const timer = setTimeout(() => resolve(PING_TIMEOUT_CODE), this.opts.pingTimeoutSecs * 1000);
      Promise.resolve()
        .then(() => connection.ping())
        .then(
          (code) => resolve(code),
          () => resolve(PING_ERROR_CODE),
        )
        .finally(() => clearTimeout(timer));
    });
  }

  /** Puts the real connection back (used when the run ends, so it can be closed). */
  restore(): void {
    if (this.parked) this.backend.connection = this.parked;
    this.parked = null;
  }
}
