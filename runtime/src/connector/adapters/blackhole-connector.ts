/**
 * LMCache's `BlackholeConnector` (`connector/blackhole_connector.py`): stores nothing.
 */
import { getLogger } from "../../logging";
import type { LMCacheEngineConfig } from "../../config/engine-config";
import { getExtraConfigValue } from "../../config/engine-config";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { MemoryObj } from "../../memory/memory-obj";
import { RemoteConnector } from "../base-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.blackhole_connector");

/**
 * Every lookup misses and every put is dropped (the wrapper still releases the put reference).
 * `exists` / `existsSync` return `extra_config["remote_black_hole_always_exists"]` when set (one
 * LMCache variant), else `false`. LMCache oddity kept: `list()` resolves to `null`, not a list
 * (its body is `pass`). Like LMCache it never calls the base constructor with arguments, so the
 * chunk-meta fields are undefined.
 */
export class BlackholeConnector extends RemoteConnector {
  private readonly alwaysExists: boolean;

  constructor(config: LMCacheEngineConfig | null = null) {
    super();
    this.alwaysExists = Boolean(getExtraConfigValue(config, "remote_black_hole_always_exists", false));
  }

  override async exists(_key: CacheEngineKey): Promise<boolean> {
    return this.alwaysExists;
  }

  override existsSync(_key: CacheEngineKey): boolean {
    return this.alwaysExists;
  }

  override async get(_key: CacheEngineKey): Promise<MemoryObj | null> {
    return null;
  }

  override async put(_key: CacheEngineKey, _obj: MemoryObj): Promise<void> {}

  /** Resolves to `null` like LMCache's `pass` body (typed as a list for the base signature). */
  override async list(): Promise<string[]> {
    return null as unknown as string[];
  }

  override async close(): Promise<void> {
    logger.info("Closed the blackhole connection");
  }
}
