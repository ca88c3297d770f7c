/**
 * RedisStoreConnector.existsSync and removeSync ask the Redis server, as exists() does: a key that
 * ANOTHER client writes is seen at once, and one it deletes is gone. (LMCache calls exists_sync
 * from its worker threads when extra_config.use_exists_sync is set; an answer from this process's
 * own memory would miss what other LMCache instances store.)
 */
import * as path from "node:path";
import { createClient } from "redis";
import {
  CacheEngineKey,
  LMCacheMetadata,
  LocalCPUBackend,
  MemoryAllocator,
  createConnector,
  createEngineConfig,
} from "lmcache-connector-runtime";
import { describe, expect, it } from "vitest";

const projectRoot = path.resolve(__dirname, "..");
const redisUrl = process.env.REDIS_URL || "redis://127.0.0.1:6379";
const connectorUrl = "external://host:0/src.redis_store_connector/?connector_name=RedisStoreConnector";

describe("RedisStoreConnector synchronous calls", () => {
  it("see keys another client writes and deletes", async () => {
    // A prefix of our own, so this test touches nothing else on the server.
    const prefix = `exists-sync-test-${process.pid}-${Date.now()}:`;
    const config = createEngineConfig({
      chunkSize: 256,
      remoteUrl: connectorUrl,
      extraConfig: { "remote_storage_plugin.redis_store_connector.url": redisUrl, "remote_storage_plugin.redis_store_connector.key_prefix": prefix },
    });
    const metadata = new LMCacheMetadata({ modelName: "org/model", worldSize: 1, workerId: 0, kvDtype: "bfloat16", kvShape: [2, 2, 256, 2, 32] });
    const localCpuBackend = new LocalCPUBackend({ config, metadata, allocator: new MemoryAllocator({ capacityBytes: 1 << 20 }) });
    const connector = await createConnector(connectorUrl, { localCpuBackend, config, metadata, cwd: projectRoot });
    const other = createClient({ url: redisUrl });
    await other.connect();
    try {
      const key = new CacheEngineKey({ modelName: "org/model", worldSize: 1, workerId: 0, chunkHash: 42, dtype: "bfloat16" });
      expect(connector.existsSync(key)).toBe(false);

      await other.set(prefix + key.toString(), "written by another client");
      expect(connector.existsSync(key)).toBe(true);
      expect(await connector.exists(key)).toBe(true);

      await other.del(prefix + key.toString());
      expect(connector.existsSync(key)).toBe(false);
    } finally {
      await connector.close();
      await other.close();
    }
  }, 60_000);
});
