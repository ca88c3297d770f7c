/**
 * lmcache-connector-runtime: LMCache's remote connector layer in TypeScript.
 * Connector authors import `RemoteConnector`, `MemoryObj`, `CacheEngineKey` and friends from here.
 */
export * from "./errors";
export * from "./logging";
export * from "./memory/dtypes";
export * from "./memory/memory-format";
export * from "./memory/memory-obj";
export * from "./memory/allocator";
export * from "./keys/cache-engine-key";
export * from "./metadata";
export * from "./protocol/remote-metadata";
export * from "./storage-backend/cache-policy";
export * from "./storage-backend/local-cpu-backend";
