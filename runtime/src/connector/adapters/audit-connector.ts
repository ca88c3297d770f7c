/**
 * LMCache's `AuditConnector` (`connector/audit_connector.py`, newest copy): wraps a real
 * connector, logs every call with `[REMOTE_AUDIT]` lines and optionally checksums payloads.
 */
import { createHash } from "node:crypto";
import { getLogger } from "../../logging";
import type { LMCacheEngineConfig } from "../../config/engine-config";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { MemoryObj } from "../../memory/memory-obj";
import { RemoteConnector, errorText } from "../base-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.audit_connector.audit");

/** SHA-256 hex digest of `data`. */
export function sha256Hex(data: Uint8Array): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Audit wrapper. Settings come from `extra_config`:
 * - `audit_calc_checksum`: compute SHA-256 over `byteArray` on put and get (else the checksum is `"N/A"`);
 * - `audit_verify_checksum`: remember put checksums and make `get` return `null` (with a
 *   `GET|MISMATCH` error log) when the bytes read differ. As in LMCache, verifying without
 *   `audit_calc_checksum` compares `"N/A"` with `"N/A"` and never fails;
 * - `audit_exclude_cmds`: comma list of PYTHON method names (`"exists_sync,batched_get"`), as
 *   LMCache reads them; any listed method — `put` and `get` included — is replaced by a plain
 *   pass-through: no log lines, no checksum, no verification. `reshapePartialChunk` and
 *   `postInit` are never audited (`@NotAudit`).
 * Log tags are the upper-cased Python names (`EXISTS_SYNC`, `BATCHED_GET`, `BATCHED_ASYNC_CONTAINS`).
 *
 * Difference from LMCache (ours): on a checksum mismatch LMCache returns `None` WITHOUT releasing
 * the object it got from the real connector (a leak); the kit releases it.
 */
export class AuditConnector extends RemoteConnector {
  readonly realConnector: RemoteConnector;
  readonly verifyChecksum: boolean;
  readonly calcChecksum: boolean;
  readonly excludedCmds: ReadonlySet<string>;
  private readonly checksumRegistry = new Map<string, string>();

  /** `verifyOverride` (ours) stands in for LMCache writing the URL's `verify` into `extra_config`. */
  constructor(realConnector: RemoteConnector, config: LMCacheEngineConfig, verifyOverride?: boolean) {
    super();
    this.realConnector = realConnector;
    const extra = config.extraConfig ?? null;
    const has = (k: string): boolean => extra !== null && Object.prototype.hasOwnProperty.call(extra, k);
    this.verifyChecksum = has("audit_verify_checksum") ? Boolean(extra!["audit_verify_checksum"]) : Boolean(verifyOverride);
    this.calcChecksum = has("audit_calc_checksum") && Boolean(extra!["audit_calc_checksum"]);
    const excluded = has("audit_exclude_cmds") ? extra!["audit_exclude_cmds"] : null;
    this.excludedCmds = new Set(excluded ? String(excluded).split(",").map((c) => c.trim()) : []);
    logger.info(
      `[REMOTE_AUDIT][${this.real()}]:INITIALIZED|Calc Checksum:${pyBool(this.calcChecksum)}｜` +
        `Verify Checksum: ${pyBool(this.verifyChecksum)}|Excluded Cmds: ${pySet(this.excludedCmds)}`,
    );
  }

  private real(): string {
    return String(this.realConnector);
  }

  private checksum(data: Uint8Array): string {
    return this.calcChecksum ? sha256Hex(data) : "N/A";
  }

  /** True when `audit_exclude_cmds` names this TS method by its Python name. */
  private excluded(method: string): boolean {
    return this.excludedCmds.has(pythonMethodName(method));
  }

  private tag(method: string): string {
    return `[REMOTE_AUDIT][${this.real()}]:${pythonMethodName(method).toUpperCase()}`;
  }

  private auditSync<T>(method: string, call: () => T): T {
    if (this.excluded(method)) return call();
    const tag = this.tag(method);
    logger.debug(`${tag}|START`);
    const t1 = performance.now();
    try {
      const result = call();
      logger.info(`${tag}|SUCCESS|Cost:${(performance.now() - t1).toFixed(6)}ms`);
      return result;
    } catch (error) {
      logger.error(`${tag}|FAILED|Error: ${errorText(error)}`);
      throw error;
    }
  }

  private async auditAsync<T>(method: string, call: () => Promise<T>): Promise<T> {
    if (this.excluded(method)) return call();
    const tag = this.tag(method);
    logger.debug(`${tag}|START`);
    const t1 = performance.now();
    try {
      const result = await call();
      logger.info(`${tag}|SUCCESS|Cost:${(performance.now() - t1).toFixed(6)}ms`);
      return result;
    } catch (error) {
      logger.error(`${tag}|FAILED|Error: ${errorText(error)}`);
      throw error;
    }
  }

  override async put(key: CacheEngineKey, obj: MemoryObj): Promise<void> {
    if (this.excluded("put")) return this.realConnector.put(key, obj);
    const data = obj.byteArray;
    const checksum = this.checksum(data);
    const size = data.length;
    const r = this.real();
    logger.debug(`[REMOTE_AUDIT][${r}]:PUT|START|Size:${size}|Checksum:${checksum.slice(0, 8)}|Saved:${this.checksumRegistry.size}|Key:${key}`);
    try {
      const t1 = performance.now();
      await this.realConnector.put(key, obj);
      const cost = performance.now() - t1;
      if (this.verifyChecksum) this.checksumRegistry.set(key.toString(), checksum);
      logger.info(
        `[REMOTE_AUDIT][${r}]:PUT|SUCCESS|Size:${size}|Checksum:${checksum.slice(0, 8)}|Cost:${cost.toFixed(6)}ms|` +
          `Saved:${this.checksumRegistry.size}|Key:${key}`,
      );
    } catch (error) {
      logger.error(`[REMOTE_AUDIT][${r}]:PUT|FAILED|Size:${size}|Key:${key}|Error: ${errorText(error)}`);
      throw error;
    }
  }

  override async get(key: CacheEngineKey): Promise<MemoryObj | null> {
    if (this.excluded("get")) return this.realConnector.get(key);
    const r = this.real();
    logger.debug(`[REMOTE_AUDIT][${r}]:GET|START|Saved:${this.checksumRegistry.size}|Key:${key}`);
    try {
      const t1 = performance.now();
      const result = await this.realConnector.get(key);
      const cost = performance.now() - t1;
      if (result === null || result === undefined) {
        logger.info(`[REMOTE_AUDIT][${r}]:GET|MISS|Key:${key}|Saved: ${this.checksumRegistry.size}`);
        return null;
      }
      const data = result.byteArray;
      const current = this.checksum(data);
      if (this.verifyChecksum) {
        const expected = this.checksumRegistry.get(key.toString());
        if (expected && current !== expected) {
          logger.error(
            `[REMOTE_AUDIT][${r}]:GET|MISMATCH|Size:${data.length}|Expected:<${expected.slice(0, 8)}>|` +
              `Actual:<${current.slice(0, 8)}>|Key:${key}`,
          );
          result.refCountDown();
          return null;
        }
      }
      logger.info(
        `[REMOTE_AUDIT][${r}]:GET|SUCCESS|Checksum:${current.slice(0, 8)}|Cost:${cost.toFixed(6)}ms|` +
          `Saved:${this.checksumRegistry.size}|Key:${key}`,
      );
      return result;
    } catch (error) {
      logger.error(`[REMOTE_AUDIT][${r}]:GET|FAILED|Key:${key}|Error: ${errorText(error)}`);
      throw error;
    }
  }

  override exists(key: CacheEngineKey): Promise<boolean> {
    return this.auditAsync("exists", () => this.realConnector.exists(key));
  }

  override existsSync(key: CacheEngineKey): boolean {
    return this.auditSync("existsSync", () => this.realConnector.existsSync(key));
  }

  override list(): Promise<string[]> {
    return this.auditAsync("list", () => this.realConnector.list());
  }

  override close(): Promise<void> {
    return this.auditAsync("close", () => this.realConnector.close());
  }

  override supportPing(): boolean {
    return this.auditSync("supportPing", () => this.realConnector.supportPing());
  }

  override ping(): Promise<number> {
    return this.auditAsync("ping", () => this.realConnector.ping());
  }

  override supportBatchedGet(): boolean {
    return this.auditSync("supportBatchedGet", () => this.realConnector.supportBatchedGet());
  }

  override batchedGet(keys: CacheEngineKey[]): Promise<(MemoryObj | null)[]> {
    return this.auditAsync("batchedGet", () => this.realConnector.batchedGet(keys));
  }

  override supportBatchedPut(): boolean {
    return this.auditSync("supportBatchedPut", () => this.realConnector.supportBatchedPut());
  }

  override requiresPutCompletion(): boolean {
    return this.auditSync("requiresPutCompletion", () => this.realConnector.requiresPutCompletion());
  }

  override batchedPut(keys: CacheEngineKey[], objs: MemoryObj[]): Promise<void> {
    return this.auditAsync("batchedPut", () => this.realConnector.batchedPut(keys, objs));
  }

  override supportBatchedAsyncContains(): boolean {
    return this.auditSync("supportBatchedAsyncContains", () => this.realConnector.supportBatchedAsyncContains());
  }

  override batchedAsyncContains(lookupId: string, keys: CacheEngineKey[], pin = false): Promise<number> {
    return this.auditAsync("batchedAsyncContains", () => this.realConnector.batchedAsyncContains(lookupId, keys, pin));
  }

  override supportBatchedGetNonBlocking(): boolean {
    return this.auditSync("supportBatchedGetNonBlocking", () => this.realConnector.supportBatchedGetNonBlocking());
  }

  override batchedGetNonBlocking(lookupId: string, keys: CacheEngineKey[]): Promise<MemoryObj[]> {
    return this.auditAsync("batchedGetNonBlocking", () => this.realConnector.batchedGetNonBlocking(lookupId, keys));
  }

  override removeSync(key: CacheEngineKey): boolean {
    return this.auditSync("removeSync", () => this.realConnector.removeSync(key));
  }

  override supportBatchedContains(): boolean {
    return this.auditSync("supportBatchedContains", () => this.realConnector.supportBatchedContains());
  }

  override batchedContains(keys: CacheEngineKey[]): number {
    return this.auditSync("batchedContains", () => this.realConnector.batchedContains(keys));
  }

  override batchedPutExternalPages(
    keys: CacheEngineKey[],
    bufferPtrs: number[][],
    bufferSizes: number[][],
    owners: readonly unknown[],
    producerEvents: unknown,
    reqId: string,
  ): Promise<void> {
    return this.auditAsync("batchedPutExternalPages", () =>
      this.realConnector.batchedPutExternalPages(keys, bufferPtrs, bufferSizes, owners, producerEvents, reqId),
    );
  }

  override batchedGetExternalPages(keys: CacheEngineKey[], bufferPtrs: number[][], bufferSizes: number[][], owners: readonly unknown[], reqId: string): Promise<void> {
    return this.auditAsync("batchedGetExternalPages", () => this.realConnector.batchedGetExternalPages(keys, bufferPtrs, bufferSizes, owners, reqId));
  }

  override pushExternalPages(args: { remoteSession: string; sourcePlan: unknown; destinationDescriptors: readonly unknown[]; activation: unknown }): Promise<unknown> {
    return this.auditAsync("pushExternalPages", () => this.realConnector.pushExternalPages(args));
  }

  override prepareRemoteFillSource(sourcePlan: unknown): Promise<unknown> {
    return this.auditAsync("prepareRemoteFillSource", () => this.realConnector.prepareRemoteFillSource(sourcePlan));
  }

  override getRemoteFillDestinationSession(): string | null {
    return this.auditSync("getRemoteFillDestinationSession", () => this.realConnector.getRemoteFillDestinationSession());
  }

  override batchedExternalPagesExist(keys: CacheEngineKey[]): boolean[] {
    return this.auditSync("batchedExternalPagesExist", () => this.realConnector.batchedExternalPagesExist(keys));
  }

  /** `@NotAudit`: forwarded without logging. */
  override reshapePartialChunk(obj: MemoryObj, bytesRead: number): MemoryObj {
    return this.realConnector.reshapePartialChunk(obj, bytesRead);
  }

  /** `@NotAudit`: forwarded without logging. */
  override postInit(): void {
    return this.realConnector.postInit();
  }
}

/** The Python name of a TS method (`existsSync` → `exists_sync`, `batchedGet` → `batched_get`). */
export function pythonMethodName(tsName: string): string {
  return tsName.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase());
}

function pyBool(b: boolean): string {
  return b ? "True" : "False";
}

/** Python `str(set_of_str)` (`set()` when empty). */
function pySet(items: ReadonlySet<string>): string {
  return items.size === 0 ? "set()" : `{${[...items].map((s) => `'${s}'`).join(", ")}}`;
}
