/**
 * The newer health model (`lmcache/v1/health_monitor/checks/remote_backend_check.py` and
 * `health_monitor/base.py`, PR #2366/#2404 and later): an engine-level `HealthMonitor` runs a
 * `RemoteBackendHealthCheck` every `ping_interval` and applies its `fallback_policy`:
 * - `"recompute"` (default): while the check fails the whole system is unhealthy and the engine
 *   skips every cache operation (everything is recomputed);
 * - `"local_cpu"`: the remote backend is bypassed and the local CPU cache goes on serving.
 *
 * `check()`, as upstream: re-initialise a missing connection (False if it stays missing); inside
 * a failure window, wait `waiting_time_for_recovery` seconds (default 300) and then require the
 * put → contains → get self-test on a synthetic key (model "test", hash 0, bfloat16) allocated
 * with the connector's `meta_shapes` / `meta_dtypes` / `meta_fmt` — so a connector that never
 * called `super(config, metadata)` raises AttributeError there and never recovers; if the
 * interval count of failed remote gets reaches `remote_failed_threshold` → a failure window
 * starts; finally, with `support_ping()`, `ping()` under `ping_timeout`: healthy iff the code
 * `== 0` in Python terms (`0`, `0.0`, `False`), -1 on a timeout, -2 on an exception.
 *
 * Values our sources do not pin down (ours, documented): `remote_failed_threshold` defaults to
 * 10 (the older `get_blocking_failed_threshold` constant), `check_put_timeout` to 5 s (the
 * `ping_timeout` default the older self-test waited with). The older era (the ping-only
 * `RemoteMonitor` with its blackhole swap) stays in `./remote-monitor`; `health_model` selects.
 */
import { AttributeError } from "../errors";
import { CacheEngineKey } from "../keys/cache-engine-key";
import { getLogger } from "../logging";
import type { DType } from "../memory/dtypes";
import type { MemoryFormat } from "../memory/memory-format";
import type { MemoryObj } from "../memory/memory-obj";
import type { LocalCPUBackend } from "../storage-backend/local-cpu-backend";
import { callWithDeadline, DeadlineExceeded } from "../conformance/timeouts";
import { PeriodicLoop } from "./periodic-loop";
import type { RemoteBackend } from "./remote-backend";
import { PING_ERROR_CODE, PING_TIMEOUT_CODE, pingCodeHealthy } from "./remote-monitor";

export { pingCodeHealthy };

const logger = getLogger("lmcache.v1.health_monitor.checks.remote_backend_check");

/** `FallbackPolicy` (`health_monitor/constants.py`). */
export type FallbackPolicy = "recompute" | "local_cpu";
export const FALLBACK_POLICIES: readonly FallbackPolicy[] = ["recompute", "local_cpu"];

/** The settings `RemoteBackendHealthCheck` and `HealthMonitor` read (see `healthCheckOptions`). */
export interface HealthCheckOptions {
  /** `extra_config["fallback_policy"]` (default `"recompute"`). */
  fallbackPolicy: FallbackPolicy;
  /** `extra_config["remote_failed_threshold"]` (default 10, see the module comment). */
  remoteFailedThreshold: number;
  /** `extra_config["waiting_time_for_recovery"]` seconds (default 300.0). */
  waitingTimeForRecoverySecs: number;
  /** `extra_config["ping_timeout"]` seconds (default 5.0). */
  pingTimeoutSecs: number;
  /** `extra_config["check_put_timeout"]` seconds (default 5.0, see the module comment). */
  checkPutTimeoutSecs: number;
  /** The monitor's `ping_interval` seconds (default 30.0). */
  pingIntervalSecs: number;
}

/** The connector the self-test reads its chunk metadata from: unwrapped from Instrumented and Audit. */
function innermost(connection: unknown): Record<string, unknown> {
  let c = connection as { getWrappedConnector?(): unknown; realConnector?: unknown } | null;
  if (c && typeof c.getWrappedConnector === "function") c = c.getWrappedConnector() as typeof c;
  if (c && c.realConnector) c = c.realConnector as typeof c;
  return (c ?? {}) as Record<string, unknown>;
}

function attr<T>(connector: Record<string, unknown>, tsName: string, pyName: string): T {
  const value = connector[tsName];
  if (value === undefined || value === null) {
    const cls = (connector.constructor as { name?: string } | undefined)?.name ?? "object";
    throw new AttributeError(`'${cls}' object has no attribute '${pyName}'`);
  }
  return value as T;
}

/** `RemoteBackendHealthCheck` for one backend. */
export class RemoteBackendHealthCheck {
  /** When the current failure window started (ms, `now()`), or null. */
  failureTime: number | null = null;
  /** Why the last check failed (ours, for reports). */
  lastReason = "";

  constructor(
    private readonly backend: RemoteBackend,
    private readonly localCpu: LocalCPUBackend | null,
    readonly opts: HealthCheckOptions,
    private readonly now: () => number = Date.now,
  ) {}

  get fallbackPolicy(): FallbackPolicy {
    return this.opts.fallbackPolicy;
  }

  /** One check; true when healthy. Raises what upstream raises (the monitor counts a raise as unhealthy). */
  async check(): Promise<boolean> {
    if (!this.backend.connection) {
      logger.warning("Connector is None, re-initializing connection.");
      await this.backend.initConnection();
      if (!this.backend.connection) return this.failed("the connection is None and could not be re-initialised");
    }
    const connection = this.backend.connection;
    if (this.failureTime !== null) {
      const waited = this.now() - this.failureTime > this.opts.waitingTimeForRecoverySecs * 1000;
      if (waited && (await this.selfTest())) {
        logger.info("recover from remote failed");
        this.backend.getAndClearIntervalRemoteFailedCount();
        this.failureTime = null;
      } else {
        return this.failed(waited ? `the put → contains → get self-test failed: ${this.lastReason}` : "still in the remote-failed recovery window");
      }
    }
    const failedGets = this.backend.getAndClearIntervalRemoteFailedCount();
    if (failedGets >= this.opts.remoteFailedThreshold) {
      logger.warning(`Detected ${failedGets} remote failed in interval, threshold: ${this.opts.remoteFailedThreshold}`);
      this.failureTime = this.now();
      return this.failed(`${failedGets} failed remote gets in the interval (threshold ${this.opts.remoteFailedThreshold})`);
    }
    if (!connection.supportPing()) return true;
    const code = await this.ping();
    if (!pingCodeHealthy(code)) return this.failed(`ping returned ${String(code)}`);
    return true;
  }

  private failed(reason: string): false {
    this.lastReason = reason;
    return false;
  }

  private async ping(): Promise<unknown> {
    const connection = this.backend.connection!;
    const ms = this.opts.pingTimeoutSecs * 1000;
    try {
      return await callWithDeadline(() => connection.ping(), ms, () => `ping() did not return within ${ms} ms`);
    } catch (err) {
      if (err instanceof DeadlineExceeded) {
        logger.warning("Ping timeout");
        return PING_TIMEOUT_CODE;
      }
      logger.error(`Ping error: ${(err as Error)?.message ?? String(err)}`);
      return PING_ERROR_CODE;
    }
  }

  /**
   * `_put_and_get_check()`: put a freshly allocated chunk of the connector's own `meta_shapes` /
   * `meta_dtypes` / `meta_fmt` under `CacheEngineKey("test", 1, 0, 0, bfloat16)`, wait for it
   * (`check_put_timeout`), require `contains`, then `get_blocking` and equal bytes and shape.
   * Reading the metadata raises AttributeError on a connector without it — outside the upstream
   * try block, so it propagates (the monitor then counts the check as failed).
   */
  async selfTest(): Promise<boolean> {
    if (!this.localCpu || !this.backend.connection) return this.failed("no local CPU backend or no connection");
    const key = new CacheEngineKey({ modelName: "test", worldSize: 1, workerId: 0, chunkHash: 0, dtype: "bfloat16", fmt: "vllm" });
    const connector = innermost(this.backend.connection);
    const shapes = attr<number[][]>(connector, "metaShapes", "meta_shapes");
    const dtypes = attr<DType[]>(connector, "metaDtypes", "meta_dtypes");
    const fmt = attr<MemoryFormat>(connector, "metaFmt", "meta_fmt");
    let putObj: MemoryObj | null = null;
    let getObj: MemoryObj | null = null;
    try {
      if (this.backend.existsInPutTasks(key)) return this.failed("the self-test key is still in put_tasks");
      putObj = this.localCpu.allocate(shapes, dtypes, fmt);
      if (!putObj) throw new Error("allocation for the self-test failed");
      const ms = this.opts.checkPutTimeoutSecs * 1000;
      await callWithDeadline(() => this.backend.submitPutTask(key, putObj!), ms, () => `the self-test put did not finish within ${ms} ms`);
      if (!(await this.backend.contains(key))) throw new Error("Key not exists after put");
      getObj = await this.backend.getBlocking(key);
      if (!getObj) return this.failed("Get failed, the return value is None");
      const same = JSON.stringify(getObj.getShapes()) === JSON.stringify(putObj.getShapes()) && Buffer.from(getObj.byteArray).equals(Buffer.from(putObj.byteArray));
      return same ? true : this.failed("the object read back differs from the one put");
    } catch (err) {
      logger.warning(`Check error, check failed: ${(err as Error)?.message ?? String(err)}`);
      return this.failed(`${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`);
    } finally {
      putObj?.refCountDown();
      getObj?.refCountDown();
    }
  }
}

/** One health transition, for reports. */
export interface HealthCheckEvent {
  atMs: number;
  healthy: boolean;
  /** Why the check failed ("" on recovery). */
  reason: string;
}

/**
 * The engine's `HealthMonitor` reduced to the one check the harness has: every `ping_interval`
 * it runs the check (an exception counts as unhealthy) and applies the policy — `recompute`
 * marks the system unhealthy (`healthy` false: skip every cache operation), `local_cpu` bypasses
 * the remote backend (`remoteBypassed` true) while the system stays healthy. A passing check
 * undoes either. Timers are unref'd.
 */
export class HealthMonitor {
  healthy = true;
  remoteBypassed = false;
  checks = 0;
  readonly events: HealthCheckEvent[] = [];
  private wasHealthy = true;
  private readonly loop: PeriodicLoop;
  private readonly started = Date.now();

  constructor(readonly check: RemoteBackendHealthCheck) {
    this.loop = new PeriodicLoop(() => this.check.opts.pingIntervalSecs * 1000, () => this.tick());
  }

  start(): void {
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  /** One round of `_run_all_checks` (exposed for tests); returns the check's result. */
  async tick(): Promise<boolean> {
    let ok: boolean;
    try {
      ok = await this.check.check();
    } catch (err) {
      logger.error(`Health check ${this.name} raised exception: ${(err as Error)?.message ?? String(err)}`);
      this.check.lastReason = `${(err as Error)?.name ?? "Error"}: ${(err as Error)?.message ?? String(err)}`;
      ok = false;
    }
    this.checks++;
    const policy = this.check.fallbackPolicy;
    if (ok !== this.wasHealthy) this.events.push({ atMs: Date.now() - this.started, healthy: ok, reason: ok ? "" : this.check.lastReason });
    if (ok) {
      if (!this.wasHealthy && policy === "local_cpu") this.remoteBypassed = false;
      this.healthy = true;
    } else if (policy === "recompute") {
      this.healthy = false;
    } else {
      this.remoteBypassed = true;
      this.healthy = true;
    }
    this.wasHealthy = ok;
    return ok;
  }

  get name(): string {
    return "RemoteBackendHealthCheck";
  }
}
