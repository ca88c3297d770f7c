/**
 * LMCache's `BlackholeConnector` (`connector/blackhole_connector.py`): stores nothing.
 */
import { getLogger } from "../../logging";
import type { CacheEngineKey } from "../../keys/cache-engine-key";
import type { MemoryObj } from "../../memory/memory-obj";
import { RemoteConnector } from "../base-connector";

const logger = getLogger("lmcache.v1.storage_backend.connector.blackhole_connector");

/**
 * Every lookup misses and every put is dropped (the wrapper still releases the put reference).
 * `exists` / `existsSync` always return `false`: upstream `BlackholeConnector.__init__(self)` takes
 * nothing and reads no config. (`extra_config.remote_black_hole_always_exists` exists only in a
 * fork's copy; the kit no longer honours it.) LMCache oddity kept: `list()` resolves to `null`, not a list
 * (its body is `pass`). Like LMCache it never calls the base constructor with arguments, so the
 * chunk-meta fields are undefined.
 */
export class BlackholeConnector extends RemoteConnector {
  constructor() {
    super();
  }

  override async exists(_key: CacheEngineKey): Promise<boolean> {
    return false;
  }

  override existsSync(_key: CacheEngineKey): boolean {
    return false;
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
