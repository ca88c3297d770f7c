/**
 * lmcache-connector-runtime: LMCache's remote connector layer in TypeScript.
 * Connector authors import `RemoteConnector`, `MemoryObj`, `CacheEngineKey` and friends from here.
 */
export * from "./errors";
export * from "./logging";
